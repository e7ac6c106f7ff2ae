using System.Text;
using MailActors.Pop3;
using MailActors.Pop3.Fetch;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;

namespace MailActors.Tests.Pop3.Fetch;

/// <summary>The pieces of the crash-consistent fetch: Maildir delivery, line endings, the UIDL state and its healing.</summary>
public sealed class MaildirAndStateTests(ITestOutputHelper output) : SessionTestKit(output)
{
    private readonly string _root = Directory.CreateTempSubdirectory("mailactors-maildir-").FullName;

    protected override void Dispose(bool disposing)
    {
        Directory.Delete(_root, recursive: true);
        base.Dispose(disposing);
    }

    [Fact]
    public async Task Delivery_goes_through_tmp_into_new_with_lf_line_endings_and_a_readable_tag()
    {
        var maildir = new Maildir(Path.Combine(_root, "m"));

        var path = await maildir.DeliverAsync(s => s.WriteAsync("Subject: x\r\n\r\nbody\r\n"u8.ToArray()).AsTask(), "abc123");

        Assert.Equal(Path.Combine(maildir.Root, "new"), Path.GetDirectoryName(path));
        Assert.Equal("Subject: x\n\nbody\n", await File.ReadAllTextAsync(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(maildir.Root, "tmp")));
        Assert.Equal("abc123", Maildir.TagOf(path));
        Assert.Equal("abc123", Maildir.TagOf(path + ":2,S"));
        Assert.Null(Maildir.TagOf("1700000000.M1P2Q3.host"));
    }

    [Fact]
    public async Task A_failed_delivery_leaves_nothing_behind()
    {
        var maildir = new Maildir(Path.Combine(_root, "m"));

        await Assert.ThrowsAsync<IOException>(() => maildir.DeliverAsync(async s =>
        {
            await s.WriteAsync("partial"u8.ToArray());
            throw new IOException("the connection broke");
        }));

        Assert.Empty(Directory.GetFiles(Path.Combine(maildir.Root, "tmp")));
        Assert.Empty(maildir.MessageFiles());
    }

    [Fact]
    public async Task Stale_temporary_files_are_removed_and_live_ones_kept()
    {
        var maildir = new Maildir(Path.Combine(_root, "m"));
        var tmp = Path.Combine(maildir.Root, "tmp");
        using var exited = System.Diagnostics.Process.Start("true")!;
        await exited.WaitForExitAsync();
        var host = Environment.MachineName;
        var killed = Path.Combine(tmp, $"1700000000.M1P{exited.Id}Q1R0.{host},U=abc");
        var ours = Path.Combine(tmp, $"1700000000.M1P{Environment.ProcessId}Q2R0.{host}");
        var foreignOld = Path.Combine(tmp, "1700000000.M1P1Q3R0.elsewhere.example");
        var foreignFresh = Path.Combine(tmp, "1700000000.M1P1Q4R0.elsewhere.example");
        foreach (var path in new[] { killed, ours, foreignOld, foreignFresh })
        {
            await File.WriteAllTextAsync(path, "partial");
        }
        File.SetLastWriteTimeUtc(foreignOld, DateTime.UtcNow.AddHours(-37));

        var removed = maildir.RemoveStaleTemporaryFiles();

        Assert.Equal(2, removed);
        Assert.Equal(new[] { foreignFresh, ours }.Order(), Directory.GetFiles(tmp).Order());
    }

    [Theory]
    [InlineData(new[] { "a\r\nb\r\n" }, "a\nb\n")]
    [InlineData(new[] { "a\r", "\nb" }, "a\nb")]
    [InlineData(new[] { "a\rb\r" }, "a\rb\r")]
    [InlineData(new[] { "a\r", "\r", "\n" }, "a\r\n")]
    public async Task Crlf_becomes_lf_across_write_boundaries_and_lone_cr_is_kept(string[] writes, string expected)
    {
        var maildir = new Maildir(Path.Combine(_root, "m"));

        var path = await maildir.DeliverAsync(async s =>
        {
            foreach (var piece in writes)
            {
                await s.WriteAsync(Encoding.ASCII.GetBytes(piece));
            }
        });

        Assert.Equal(expected, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_flush_in_mid_message_does_not_write_the_held_cr()
    {
        var maildir = new Maildir(Path.Combine(_root, "m"));

        // A flush is no end of message: the CR held back may still turn out to start a CRLF.
        var path = await maildir.DeliverAsync(async s =>
        {
            await s.WriteAsync("a\r"u8.ToArray());
            await s.FlushAsync();
            await s.WriteAsync("\nb\r\n"u8.ToArray());
            s.Flush();
        });

        Assert.Equal("a\nb\n", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task State_records_survive_a_reload_and_a_torn_last_line_is_ignored()
    {
        var maildir = new Maildir(Path.Combine(_root, "m"));
        var statePath = Path.Combine(_root, "state");
        var state = await FetchState.LoadAsync(statePath, "alice@host", maildir);
        await state.RecordAsync("uid-1");
        await state.RecordAsync("uid-2");
        await File.AppendAllTextAsync(statePath, "uid-3-torn\u0000");

        var reloaded = await FetchState.LoadAsync(statePath, "alice@host", maildir);
        await reloaded.RecordAsync("uid-4");
        var again = await FetchState.LoadAsync(statePath, "alice@host", maildir);

        Assert.True(again.IsStored("uid-1") && again.IsStored("uid-2") && again.IsStored("uid-4"));
        Assert.False(again.IsStored("uid-3-torn"));
        Assert.Equal(3, again.StoredUids.Count);
    }

    [Fact]
    public async Task A_message_stored_but_not_recorded_is_recognised_by_its_tag_for_the_same_account_only()
    {
        var maildir = new Maildir(Path.Combine(_root, "m"));
        var statePath = Path.Combine(_root, "state");
        var before = await FetchState.LoadAsync(statePath, "alice@host", maildir);
        // The crash window: the message was renamed into new/, the process died before RecordAsync.
        await maildir.DeliverAsync(s => s.WriteAsync("Subject: y\r\n\r\n"u8.ToArray()).AsTask(), before.TagOf("uid-9"));

        var after = await FetchState.LoadAsync(statePath, "alice@host", maildir);
        var otherAccount = await FetchState.LoadAsync(Path.Combine(_root, "other"), "bob@host", maildir);

        Assert.True(after.IsStored("uid-9"));
        Assert.False(otherAccount.IsStored("uid-9"));
    }

    [Fact]
    public async Task Fetcher_stores_new_messages_deletes_them_and_skips_what_it_already_has()
    {
        var server = await StartPop3ServerAsync();
        var maildir = new Maildir(Path.Combine(_root, "m"));
        var statePath = Path.Combine(_root, "state");
        var account = "alice@test";
        // One message was stored by an earlier run that crashed before recording it.
        var earlier = await FetchState.LoadAsync(statePath, account, maildir);
        var firstUid = server.GetMailbox(Pop3User).Messages[0].Uid;
        await maildir.DeliverAsync(s => s.WriteAsync(SampleMessages[0]).AsTask(), earlier.TagOf(firstUid));

        await using var client = await Pop3Client.ConnectAsync(Pop3OptionsFor(server, Sys));
        await client.LoginAsync(Pop3User, Pop3Password);
        var state = await FetchState.LoadAsync(statePath, account, maildir);
        var report = await MaildirFetcher.RunAsync(client, maildir, state, deleteStored: true);

        Assert.Equal(new FetchReport(Downloaded: 2, AlreadyStored: 1, Deleted: 3), report);
        Assert.Equal(3, maildir.MessageFiles().Count());
        Assert.Empty(server.GetMailbox(Pop3User).Messages);
        Assert.Equal(3, (await FetchState.LoadAsync(statePath, account, maildir)).StoredUids.Count);
        Assert.Equal(2, server.MessagesRetrieved);
    }
}
