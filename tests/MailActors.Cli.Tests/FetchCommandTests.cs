using System.Text;
using MailActors.Testing;

namespace MailActors.Cli.Tests;

/// <summary><c>mailactors fetch</c> run as a process against the in-process POP3 server.</summary>
public sealed class FetchCommandTests : IAsyncLifetime
{
    private const string PasswordVariable = "MAILACTORS_TEST_PW";
    private static readonly byte[][] Messages =
    [
        "Subject: one\r\n\r\nfirst body\r\n"u8.ToArray(),
        "Subject: two\r\n\r\nsecond body\r\n.dotted\r\nthird line\r\n"u8.ToArray(),
    ];

    private Pop3TestServer _server = null!;
    private string _certificate = null!;

    public async Task InitializeAsync()
    {
        _server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = new Dictionary<string, string> { ["alice"] = "pop-pass-123" },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { ["alice"] = Pop3Mailbox.InMemory(Messages) },
            AuthMechanisms = ["PLAIN"],
        });
        _certificate = Path.GetTempFileName();
        await File.WriteAllTextAsync(_certificate, _server.Certificate.ExportCertificatePem());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        File.Delete(_certificate);
    }

    private Task<CliRunner.Result> FetchAsync(params string[] extra) => FetchFromAsync(_server.Port, extra);

    private Task<CliRunner.Result> FetchFromAsync(int port, params string[] extra) => CliRunner.RunAsync(
        ["fetch", "--host", "localhost", "--port", port.ToString(), "--tls", "starttls", "--trust-cert", _certificate,
         "--user", "alice", "--password-env", PasswordVariable, .. extra],
        new Dictionary<string, string> { [PasswordVariable] = "pop-pass-123" });

    [Fact]
    public async Task Without_an_action_it_prints_the_mailbox_status()
    {
        var result = await FetchAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"2 messages ({Messages.Sum(m => m.Length)} octets)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_and_uidl_print_one_line_per_message()
    {
        var list = await FetchAsync("--list");
        var uidl = await FetchAsync("--uidl");

        Assert.Equal(0, list.ExitCode);
        Assert.Equal($"1 {Messages[0].Length}\n2 {Messages[1].Length}\n", list.Output.Replace("\r", "", StringComparison.Ordinal));
        var uids = _server.GetMailbox("alice").Messages.Select((m, i) => $"{i + 1} {m.Uid}");
        Assert.Equal(string.Join("\n", uids) + "\n", uidl.Output.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_writes_the_message_octets_to_standard_output()
    {
        var result = await FetchAsync("--get", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Encoding.ASCII.GetString(Messages[1]), result.Output);
    }

    [Fact]
    public async Task Top_prints_the_headers_and_the_first_lines()
    {
        var result = await FetchAsync("--top", "2", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Subject: two\n\nsecond body\n", result.Output.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_n_deletes_one_message_and_quits()
    {
        var result = await FetchAsync("--delete", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Messages[1].Length, Assert.Single(_server.GetMailbox("alice").Messages).Size);
    }

    [Fact]
    public async Task Maildir_with_delete_stores_every_message_then_deletes_and_a_second_run_finds_nothing()
    {
        var maildir = Directory.CreateTempSubdirectory("mailactors-fetch-").FullName;
        try
        {
            var first = await FetchAsync("--maildir", maildir, "--delete");
            var second = await FetchAsync("--maildir", maildir, "--delete");

            Assert.Equal(0, first.ExitCode);
            Assert.Contains("downloaded 2, already stored 0, deleted 2", first.Output, StringComparison.Ordinal);
            Assert.Contains("downloaded 0, already stored 0, deleted 0", second.Output, StringComparison.Ordinal);
            var stored = Directory.GetFiles(Path.Combine(maildir, "new")).Select(File.ReadAllText).Order().ToArray();
            Assert.Equal(["Subject: one\n\nfirst body\n", "Subject: two\n\nsecond body\n.dotted\nthird line\n"], stored);
            Assert.Empty(Directory.GetFiles(Path.Combine(maildir, "tmp")));
            Assert.Empty(_server.GetMailbox("alice").Messages);
        }
        finally
        {
            Directory.Delete(maildir, recursive: true);
        }
    }

    [Fact]
    public async Task Maildir_state_of_the_same_user_on_another_port_is_its_own()
    {
        // Both mailboxes number their messages from the same first UIDL: a state shared between them would take the
        // other port's message as stored and, with --delete, delete it without downloading it.
        await using var other = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = new Dictionary<string, string> { ["alice"] = "pop-pass-123" },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { ["alice"] = Pop3Mailbox.InMemory(["Subject: other\r\n\r\nfrom the other port\r\n"u8.ToArray()]) },
            Certificate = _server.Certificate,
        });
        Assert.Equal(_server.GetMailbox("alice").Messages[0].Uid, other.GetMailbox("alice").Messages[0].Uid);
        var maildir = Directory.CreateTempSubdirectory("mailactors-fetch-").FullName;
        try
        {
            var first = await FetchAsync("--maildir", maildir, "--delete");
            var second = await FetchFromAsync(other.Port, "--maildir", maildir, "--delete");

            Assert.Contains("downloaded 2, already stored 0, deleted 2", first.Output, StringComparison.Ordinal);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("downloaded 1, already stored 0, deleted 1", second.Output, StringComparison.Ordinal);
            var stored = Directory.GetFiles(Path.Combine(maildir, "new")).Select(File.ReadAllText).ToArray();
            Assert.Equal(3, stored.Length);
            Assert.Contains("Subject: other\n\nfrom the other port\n", stored);
        }
        finally
        {
            Directory.Delete(maildir, recursive: true);
        }
    }

    [Fact]
    public async Task Maildir_with_keep_leaves_mail_on_the_server_and_never_stores_twice()
    {
        var maildir = Directory.CreateTempSubdirectory("mailactors-fetch-").FullName;
        try
        {
            var first = await FetchAsync("--maildir", maildir, "--keep");
            var second = await FetchAsync("--maildir", maildir);

            Assert.Contains("downloaded 2, already stored 0, deleted 0", first.Output, StringComparison.Ordinal);
            Assert.Contains("downloaded 0, already stored 2, deleted 0", second.Output, StringComparison.Ordinal);
            Assert.Equal(2, Directory.GetFiles(Path.Combine(maildir, "new")).Length);
            Assert.Equal(2, _server.GetMailbox("alice").Messages.Count);
        }
        finally
        {
            Directory.Delete(maildir, recursive: true);
        }
    }

    [Fact]
    public async Task Debug_prints_the_transcript_with_the_password_redacted()
    {
        var result = await FetchAsync("--login", "user-pass", "--debug");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("C: PASS ****", result.Error, StringComparison.Ordinal);
        Assert.Contains("* TLS established", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pop-pass-123", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Utf8_lets_a_user_with_a_non_ascii_name_read_the_mailbox()
    {
        const string user = "j\u00fcrgen";
        await using var server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Utf8 = true,
            Utf8User = true,
            Users = new Dictionary<string, string> { [user] = "pop-pass-123" },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { [user] = Pop3Mailbox.InMemory(Messages) },
        });
        Task<CliRunner.Result> Fetch(params string[] extra) => CliRunner.RunAsync(
            ["fetch", "--host", "localhost", "--port", server.Port.ToString(), "--tls", "starttls", "--trust-cert", _certificate,
             "--user", user, "--password-env", PasswordVariable, "--login", "user-pass", .. extra],
            new Dictionary<string, string> { [PasswordVariable] = "pop-pass-123" });
        await File.WriteAllTextAsync(_certificate, server.Certificate.ExportCertificatePem());

        var without = await Fetch();
        var with = await Fetch("--utf8");

        Assert.Equal(28, without.ExitCode);
        Assert.Equal(0, with.ExitCode);
        Assert.Contains($"2 messages ({Messages.Sum(m => m.Length)} octets)", with.Output, StringComparison.Ordinal);
        Assert.Contains("UTF8", server.CommandLog);
    }

    [Fact]
    public async Task A_wrong_password_names_the_auth_phase()
    {
        var result = await CliRunner.RunAsync(
            ["fetch", "--host", "localhost", "--port", _server.Port.ToString(), "--tls", "starttls", "--trust-cert", _certificate,
             "--user", "alice", "--password-env", PasswordVariable, "--login", "user-pass"],
            new Dictionary<string, string> { [PasswordVariable] = "wrong" });

        Assert.Equal(28, result.ExitCode);
        Assert.Contains("failed in phase auth", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleartext_login_is_refused_without_opting_in()
    {
        var result = await CliRunner.RunAsync(
            ["fetch", "--host", "127.0.0.1", "--port", _server.Port.ToString(), "--user", "alice", "--password-env", PasswordVariable],
            new Dictionary<string, string> { [PasswordVariable] = "pop-pass-123" });

        Assert.Equal(28, result.ExitCode);
        Assert.Contains("unencrypted", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_command_names_the_command_phase()
    {
        var result = await FetchAsync("--get", "9");

        Assert.Equal(26, result.ExitCode);
        Assert.Contains("failed in phase command", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_certificate_names_the_tls_phase()
    {
        var result = await CliRunner.RunAsync(
            ["fetch", "--host", "localhost", "--port", _server.Port.ToString(), "--tls", "starttls", "--user", "alice", "--password-env", PasswordVariable],
            new Dictionary<string, string> { [PasswordVariable] = "pop-pass-123" });

        Assert.Equal(29, result.ExitCode);
    }

    [Theory]
    [InlineData("--list", "--uidl")]
    [InlineData("--maildir", "x", "--delete", "3")]
    [InlineData("--keep")]
    [InlineData("--delete")]
    public async Task Conflicting_or_incomplete_actions_are_usage_errors(params string[] extra)
    {
        var result = await FetchAsync(extra);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(0, _server.SessionsOpened);
    }
}
