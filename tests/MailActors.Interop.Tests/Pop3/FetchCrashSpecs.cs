using System.Text;
using MailActors.Interop.Tests.Infrastructure;
using MailActors.Pop3.Fetch;
using MailActors.Testing;
using Xunit.Abstractions;

namespace MailActors.Interop.Tests.Pop3;

/// <summary>
/// <c>mailactors fetch --maildir</c> killed with SIGKILL at random moments and restarted: every message must end up
/// stored exactly once. Against the real Dovecot the run keeps mail on the server (<c>--keep</c>), because that mailbox
/// is shared with the other interop tests and a fetch takes all of it; against the in-process POP3 server, whose
/// mailbox is the test's own, it deletes (<c>--delete</c>), so every kill also lands between DELE and QUIT.
/// </summary>
[Collection(RealServers.CollectionName)]
public sealed class FetchCrashSpecs(RealServers servers, ITestOutputHelper output)
{
    // Enough messages of enough size that a download takes many small steps, so kills land all along it.
    private const int Messages = 60;
    private const int Kills = 12;
    private const string PasswordVariable = "MAILACTORS_CRASH_PW";
    private static readonly string Body = string.Concat(Enumerable.Range(0, 1500).Select(i => $"line {i:D4} of a message that takes a moment to fetch and store\r\n"));
    private readonly DovecotMailbox _mailbox = new(servers);

    [Fact]
    public async Task Dovecot_keep_killed_at_random_points_and_restarted_stores_every_message_exactly_once()
    {
        var prefix = DovecotMailbox.Unique("crash-fetch");
        var subjects = Enumerable.Range(0, Messages).Select(i => $"{prefix} #{i:D2}").ToArray();
        await _mailbox.DeliverManyAsync(prefix, subjects, Body);
        using var workspace = new Workspace(servers.Certificate.ExportCertificatePem());
        string[] arguments =
        [
            "--host", servers.Host, "--port", servers.Pop3.ToString(), "--tls", "starttls", "--trust-cert", workspace.Certificate,
            "--user", _mailbox.User.Name, "--password-env", PasswordVariable, "--maildir", workspace.Maildir, "--keep",
        ];
        try
        {
            await KillRestartAndFinishAsync(arguments, _mailbox.User.Password, workspace.Maildir, prefix);

            AssertStoredExactlyOnce(workspace.Maildir, prefix, subjects);
        }
        finally
        {
            await _mailbox.DeleteOwnAsync(prefix);
        }
    }

    [Fact]
    public async Task In_process_server_delete_killed_at_random_points_and_restarted_stores_every_message_once_and_empties_the_mailbox()
    {
        var prefix = DovecotMailbox.Unique("crash-delete");
        var subjects = Enumerable.Range(0, Messages).Select(i => $"{prefix} #{i:D2}").ToArray();
        var mailbox = Pop3Mailbox.InMemory(subjects.Select(subject => Encoding.UTF8.GetBytes($"Subject: {subject}\r\n\r\n{Body}")));
        await using var server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = new Dictionary<string, string> { ["carol"] = "carol-secret" },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { ["carol"] = mailbox },
        });
        using var workspace = new Workspace(server.Certificate.ExportCertificatePem());
        string[] arguments =
        [
            "--host", "localhost", "--port", server.Port.ToString(), "--tls", "starttls", "--trust-cert", workspace.Certificate,
            "--user", "carol", "--password-env", PasswordVariable, "--maildir", workspace.Maildir, "--delete",
        ];

        await KillRestartAndFinishAsync(arguments, "carol-secret", workspace.Maildir, prefix, killsDuringDelete: 3);

        AssertStoredExactlyOnce(workspace.Maildir, prefix, subjects);
        Assert.Empty(mailbox.Messages);
    }

    /// <summary>Runs the fetch <see cref="Kills"/> times, killing it at a random moment each time, then
    /// <paramref name="killsDuringDelete"/> times killing it just after it announced its DELE batch (between DELE and
    /// QUIT), then once to the end.</summary>
    private async Task KillRestartAndFinishAsync(string[] arguments, string password, string maildirPath, string prefix, int killsDuringDelete = 0)
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"kill points drawn with seed {seed}");
        for (var run = 0; run < Kills; run++)
        {
            using var fetch = FetchProcess.Start(arguments, PasswordVariable, password);
            // Every fourth run dies at a random time before the download (start-up, connect, TLS, login); the others
            // a few milliseconds after the k-th message was stored, inside the next RETR, fsync, rename, state update,
            // or — once everything is stored — the DELE batch and QUIT.
            var afterStored = run % 4 == 0 ? 0 : random.Next(1, 4);
            if (afterStored > 0)
            {
                await fetch.WaitForStoredAsync(afterStored, TimeSpan.FromSeconds(20));
            }
            var delay = TimeSpan.FromMilliseconds(afterStored > 0 ? random.Next(0, 6) : random.Next(50, 500));
            await Task.Delay(delay);
            await fetch.KillAsync();
            output.WriteLine($"run {run}: killed {delay.TotalMilliseconds} ms after {fetch.StoredLines} stored; {StoredCopies(maildirPath, prefix).Sum(c => c.Value)} in the Maildir");
        }
        for (var run = 0; run < killsDuringDelete; run++)
        {
            using var fetch = FetchProcess.Start(arguments, PasswordVariable, password);
            await fetch.WaitForDeletingAsync(TimeSpan.FromSeconds(20));
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 4));
            await Task.Delay(delay);
            await fetch.KillAsync();
            output.WriteLine($"delete run {run}: killed {delay.TotalMilliseconds} ms after announcing DELE; {StoredCopies(maildirPath, prefix).Sum(c => c.Value)} in the Maildir");
        }
        using var final = FetchProcess.Start(arguments, PasswordVariable, password);
        var (exitCode, stdout, stderr) = await final.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);
    }

    private static void AssertStoredExactlyOnce(string maildirPath, string prefix, IEnumerable<string> subjects)
    {
        var copies = StoredCopies(maildirPath, prefix);
        Assert.Equal(subjects.Order(), copies.Keys.Order());
        Assert.All(copies, entry => Assert.True(entry.Value == 1, $"{entry.Key} is stored {entry.Value} times"));
        var tags = new Maildir(maildirPath).MessageFiles().Select(Maildir.TagOf).ToArray();
        Assert.Equal(tags.Length, tags.Distinct().Count());
        // Whatever the killed runs left half-written in tmp/ was removed by the last one.
        Assert.Empty(Directory.GetFiles(Path.Combine(maildirPath, "tmp")));
    }

    /// <summary>How many files in new/ and cur/ hold each of this test's subjects.</summary>
    private static Dictionary<string, int> StoredCopies(string maildirPath, string prefix)
    {
        var copies = new Dictionary<string, int>();
        if (!Directory.Exists(maildirPath))
        {
            return copies;
        }
        foreach (var file in new Maildir(maildirPath).MessageFiles())
        {
            var subject = File.ReadLines(file).FirstOrDefault(line => line.StartsWith("Subject: " + prefix, StringComparison.Ordinal));
            if (subject is not null)
            {
                var key = subject["Subject: ".Length..];
                copies[key] = copies.GetValueOrDefault(key) + 1;
            }
        }
        return copies;
    }

    /// <summary>A temporary directory with the certificate to trust and the Maildir path; removed on dispose.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("mailactors-crash-").FullName;

        public Workspace(string certificatePem) => File.WriteAllText(Certificate, certificatePem);

        public string Certificate => Path.Combine(_root, "server.pem");

        public string Maildir => Path.Combine(_root, "Maildir");

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }
}
