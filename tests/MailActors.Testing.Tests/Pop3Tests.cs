using System.Security.Cryptography;
using System.Text;

namespace MailActors.Testing.Tests;

public sealed class Pop3Tests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "s3cret", ["bob"] = "hunter2" };

    private static readonly byte[] First = "Subject: one\r\nFrom: a@example.test\r\n\r\nline 1\r\n.starts with a dot\r\n..two dots\r\n.\r\nlast\r\n"u8.ToArray();
    private static readonly byte[] Second = "Subject: two\r\n\r\nbody 1\r\nbody 2\r\nbody 3\r\n"u8.ToArray();

    private static Task<Pop3TestServer> StartAsync(Func<Pop3TestServerOptions, Pop3TestServerOptions>? configure = null)
    {
        var options = new Pop3TestServerOptions
        {
            Users = Users,
            Mailboxes = new Dictionary<string, Pop3Mailbox> { ["alice"] = Pop3Mailbox.InMemory([First, Second]) },
        };
        return Pop3TestServer.StartAsync(configure?.Invoke(options) ?? options);
    }

    private static async Task<RawClient> LoginAsync(Pop3TestServer server, string user = "alice", string password = "s3cret")
    {
        var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.StartsWith("+OK", await client.ReadLineAsync(), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await client.Pop3CommandAsync("USER " + user), StringComparison.Ordinal);
        Assert.Equal("+OK Logged in.", await client.Pop3CommandAsync("PASS " + password));
        return client;
    }

    [Fact]
    public async Task User_pass_login_then_stat_list_and_uidl()
    {
        await using var server = await StartAsync();
        await using var client = await LoginAsync(server);

        Assert.Equal($"+OK 2 {First.Length + Second.Length}", await client.Pop3CommandAsync("STAT"));
        Assert.StartsWith("+OK", await client.Pop3CommandAsync("LIST"), StringComparison.Ordinal);
        Assert.Equal([$"1 {First.Length}", $"2 {Second.Length}"], await client.ReadMultilineAsync());
        Assert.Equal($"+OK 2 {Second.Length}", await client.Pop3CommandAsync("LIST 2"));
        Assert.Equal("-ERR No such message", await client.Pop3CommandAsync("LIST 3"));
        Assert.StartsWith("+OK", await client.Pop3CommandAsync("UIDL"), StringComparison.Ordinal);
        var uids = await client.ReadMultilineAsync();
        Assert.Equal(server.GetMailbox("alice").Messages.Select((m, i) => $"{i + 1} {m.Uid}"), uids);
        Assert.Equal(1, server.LoginsSucceeded);
    }

    [Fact]
    public async Task Retr_dot_stuffs_and_the_unstuffed_lines_equal_the_message()
    {
        await using var server = await StartAsync();
        await using var client = await LoginAsync(server);

        Assert.Equal($"+OK {First.Length} octets", await client.Pop3CommandAsync("RETR 1"));
        var lines = await client.ReadMultilineAsync();
        Assert.Contains("..starts with a dot", lines);
        Assert.Contains("...two dots", lines);
        Assert.Contains("..", lines);
        var unstuffed = string.Concat(lines.Select(line => (line.StartsWith('.') ? line[1..] : line) + "\r\n"));
        Assert.Equal(Encoding.UTF8.GetString(First), unstuffed);
        Assert.Equal(1, server.MessagesRetrieved);
        Assert.Equal("+OK 1", await client.Pop3CommandAsync("LAST"));
    }

    [Fact]
    public async Task Top_returns_headers_and_the_requested_body_lines()
    {
        await using var server = await StartAsync();
        await using var client = await LoginAsync(server);

        Assert.StartsWith("+OK", await client.Pop3CommandAsync("TOP 2 2"), StringComparison.Ordinal);
        Assert.Equal(["Subject: two", "", "body 1", "body 2"], await client.ReadMultilineAsync());
        Assert.StartsWith("+OK", await client.Pop3CommandAsync("TOP 2 0"), StringComparison.Ordinal);
        Assert.Equal(["Subject: two", ""], await client.ReadMultilineAsync());
        Assert.StartsWith("-ERR", await client.Pop3CommandAsync("TOP 2"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dele_then_quit_commits_the_deletion()
    {
        await using var server = await StartAsync();
        await using (var client = await LoginAsync(server))
        {
            Assert.Equal("+OK Marked to be deleted.", await client.Pop3CommandAsync("DELE 1"));
            Assert.Equal("-ERR Message is deleted", await client.Pop3CommandAsync("RETR 1"));
            Assert.Equal($"+OK 1 {Second.Length}", await client.Pop3CommandAsync("STAT"));
            Assert.Equal(2, server.GetMailbox("alice").Messages.Count);
            Assert.StartsWith("+OK", await client.Pop3CommandAsync("QUIT"), StringComparison.Ordinal);
            var (closed, _) = await client.ReadToEndAsync();
            Assert.True(closed);
        }

        var remaining = Assert.Single(server.GetMailbox("alice").Messages);
        Assert.Equal(Second, remaining.Content.ToArray());
        Assert.Equal(1, server.DeletionsCommitted);
        Assert.Equal(1, server.GetMailbox("alice").DeletionsCommitted);
    }

    [Fact]
    public async Task Dele_then_rset_or_a_dropped_connection_commits_nothing()
    {
        await using var server = await StartAsync();
        await using (var client = await LoginAsync(server))
        {
            await client.Pop3CommandAsync("DELE 1");
            await client.Pop3CommandAsync("DELE 2");
            Assert.Equal("+OK 2 messages", await client.Pop3CommandAsync("RSET"));
            Assert.Equal("+OK 0", await client.Pop3CommandAsync("LAST"));
            await client.Pop3CommandAsync("QUIT");
        }

        await using (var client = await LoginAsync(server))
        {
            await client.Pop3CommandAsync("DELE 1");
        }

        await Eventually.TrueAsync(() => !server.GetMailbox("alice").IsLocked, "the dropped session releases the maildrop");
        Assert.Equal(2, server.GetMailbox("alice").Messages.Count);
        Assert.Equal(0, server.DeletionsCommitted);
    }

    [Fact]
    public async Task Second_session_gets_in_use_while_the_maildrop_is_locked()
    {
        await using var server = await StartAsync();
        await using var first = await LoginAsync(server);
        await using var second = await RawClient.ConnectAsync(server.EndPoint);
        await second.ReadLineAsync();
        await second.Pop3CommandAsync("USER alice");
        Assert.Equal("-ERR [IN-USE] Mailbox is locked by another session", await second.Pop3CommandAsync("PASS s3cret"));
        await first.Pop3CommandAsync("QUIT");
        await Eventually.TrueAsync(() => !server.GetMailbox("alice").IsLocked, "QUIT releases the maildrop");
        await second.Pop3CommandAsync("USER alice");
        Assert.Equal("+OK Logged in.", await second.Pop3CommandAsync("PASS s3cret"));
    }

    [Fact]
    public async Task Wrong_password_and_pass_without_user_fail_with_auth_code()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("-ERR No USER given", await client.Pop3CommandAsync("PASS s3cret"));
        await client.Pop3CommandAsync("USER alice");
        Assert.Equal("-ERR [AUTH] Authentication failed.", await client.Pop3CommandAsync("PASS wrong"));
        Assert.Equal("-ERR Not logged in", await client.Pop3CommandAsync("STAT"));
        Assert.Equal(1, server.LoginsFailed);
        Assert.Equal(["PASS s3cret", "USER alice", "PASS wrong", "STAT"], server.CommandLog);
    }

    [Fact]
    public async Task Apop_verifies_the_md5_of_timestamp_and_password()
    {
        await using var server = await StartAsync();
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var greeting = await client.ReadLineAsync() ?? "";
        var timestamp = greeting[greeting.IndexOf('<', StringComparison.Ordinal)..];
        Assert.Matches(@"^<\d+\.\d+@localhost>$", timestamp);

        var wrong = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(timestamp + "nope")));
        Assert.Equal("-ERR [AUTH] Authentication failed.", await client.Pop3CommandAsync("APOP alice " + wrong));
        var digest = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(timestamp + "s3cret")));
        Assert.Equal("+OK Logged in.", await client.Pop3CommandAsync("APOP alice " + digest));
        Assert.StartsWith("+OK 2 ", await client.Pop3CommandAsync("STAT"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Greeting_has_no_timestamp_when_apop_is_off()
    {
        await using var server = await StartAsync(o => o with { Apop = false });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("+OK MailActors POP3 test server ready.", await client.ReadLineAsync());
        Assert.Equal("-ERR APOP not supported", await client.Pop3CommandAsync("APOP alice 0123"));
    }

    [Fact]
    public async Task Sasl_plain_and_cram_md5_use_plus_continuations()
    {
        await using var server = await StartAsync(o => o with { AuthMechanisms = [SaslMechanisms.Plain, SaslMechanisms.CramMd5] });
        await using (var client = await RawClient.ConnectAsync(server.EndPoint))
        {
            await client.ReadLineAsync();
            Assert.StartsWith("+OK", await client.Pop3CommandAsync("AUTH"), StringComparison.Ordinal);
            Assert.Equal(["PLAIN", "CRAM-MD5"], await client.ReadMultilineAsync());
            Assert.Equal("+ ", await client.Pop3CommandAsync("AUTH PLAIN"));
            Assert.Equal("+OK Logged in.", await client.Pop3CommandAsync(Convert.ToBase64String("\0bob\0hunter2"u8)));
        }

        await using (var client = await RawClient.ConnectAsync(server.EndPoint))
        {
            await client.ReadLineAsync();
            var challenge = await client.Pop3CommandAsync("AUTH CRAM-MD5");
            Assert.StartsWith("+ ", challenge, StringComparison.Ordinal);
            var digest = Convert.ToHexStringLower(HMACMD5.HashData("s3cret"u8, Convert.FromBase64String(challenge![2..])));
            Assert.Equal("-ERR [AUTH] Authentication failed.", await client.Pop3CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("bob " + digest))));
            challenge = await client.Pop3CommandAsync("AUTH CRAM-MD5");
            digest = Convert.ToHexStringLower(HMACMD5.HashData("s3cret"u8, Convert.FromBase64String(challenge![2..])));
            Assert.Equal("+OK Logged in.", await client.Pop3CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("alice " + digest))));
        }
    }

    [Fact]
    public async Task Capa_lists_the_configured_capabilities()
    {
        await using var server = await StartAsync(o => o with
        {
            AuthMechanisms = [SaslMechanisms.Plain, SaslMechanisms.Login],
            LoginDelay = 900,
            Expire = "NEVER",
            Implementation = "MailActors-Test",
            Utf8 = true,
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        Assert.StartsWith("+OK", await client.Pop3CommandAsync("CAPA"), StringComparison.Ordinal);
        Assert.Equal(
            ["TOP", "UIDL", "USER", "SASL PLAIN LOGIN", "STLS", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE", "LOGIN-DELAY 900", "EXPIRE NEVER", "UTF8", "IMPLEMENTATION MailActors-Test"],
            await client.ReadMultilineAsync());

        await using var bare = await Pop3TestServer.StartAsync(new Pop3TestServerOptions { Top = false, Uidl = false, StartTls = false, Pipelining = false, RespCodes = false, AuthRespCode = false });
        await using var other = await RawClient.ConnectAsync(bare.EndPoint);
        await other.ReadLineAsync();
        await other.Pop3CommandAsync("CAPA");
        Assert.Equal(["USER"], await other.ReadMultilineAsync());
        await other.Pop3CommandAsync("USER nobody");
        Assert.Equal("-ERR Authentication failed.", await other.Pop3CommandAsync("PASS x"));
    }

    [Fact]
    public async Task Stls_upgrades_with_pinned_certificate_and_discards_pipelined_plaintext()
    {
        await using var server = await StartAsync(o => o with { RequireTlsForAuth = true });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("-ERR [AUTH] Plaintext authentication disallowed on non-secure connections", await client.Pop3CommandAsync("USER alice"));

        await client.SendAsync("STLS\r\nUSER alice\r\n");
        Assert.Equal("+OK Begin TLS negotiation now.", await client.ReadLineAsync());
        await client.UpgradeToTlsAsync(server.Certificate);

        // Had the injected USER been processed, PASS would now log in.
        Assert.Equal("-ERR No USER given", await client.Pop3CommandAsync("PASS s3cret"));
        await client.Pop3CommandAsync("CAPA");
        Assert.DoesNotContain("STLS", await client.ReadMultilineAsync());
        await client.Pop3CommandAsync("USER alice");
        Assert.Equal("+OK Logged in.", await client.Pop3CommandAsync("PASS s3cret"));
        Assert.Equal(["USER alice", "STLS", "PASS s3cret", "CAPA", "USER alice", "PASS s3cret"], server.CommandLog);
    }

    [Fact]
    public async Task Implicit_tls_serves_the_greeting_encrypted()
    {
        await using var server = await StartAsync(o => o with { ImplicitTls = true });
        await using var client = await RawClient.ConnectAsync(server.EndPoint, implicitTlsPin: server.Certificate);
        Assert.StartsWith("+OK", await client.ReadLineAsync(), StringComparison.Ordinal);
        await client.Pop3CommandAsync("USER alice");
        Assert.Equal("+OK Logged in.", await client.Pop3CommandAsync("PASS s3cret"));
    }

    [Fact]
    public async Task Maildir_messages_are_served_with_crlf_and_deleted_on_commit()
    {
        var root = Directory.CreateTempSubdirectory("mailactors-maildir-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "new"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "cur"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "tmp"));
            File.WriteAllText(Path.Combine(root.FullName, "cur", "1700000000.M1P1.host:2,S"), "Subject: old\n\n.dot\n");
            var fresh = Path.Combine(root.FullName, "new", "1700000001.M2P1.host");
            File.WriteAllText(fresh, "Subject: new\n\nhi\n");

            await using var server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
            {
                Users = Users,
                Mailboxes = new Dictionary<string, Pop3Mailbox> { ["alice"] = Pop3Mailbox.FromMaildir(root.FullName) },
            });
            await using var client = await LoginAsync(server);
            await client.Pop3CommandAsync("UIDL");
            Assert.Equal(["1 1700000000.M1P1.host", "2 1700000001.M2P1.host"], await client.ReadMultilineAsync());
            Assert.Equal("+OK 22 octets", await client.Pop3CommandAsync("RETR 1"));
            Assert.Equal(["Subject: old", "", "..dot"], await client.ReadMultilineAsync());
            await client.Pop3CommandAsync("DELE 2");
            await client.Pop3CommandAsync("QUIT");
            await Eventually.TrueAsync(() => server.DeletionsCommitted == 1, "QUIT commits");
            Assert.False(File.Exists(fresh));
            Assert.Single(Directory.GetFiles(Path.Combine(root.FullName, "cur")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Messages_added_during_a_session_appear_only_to_the_next_one()
    {
        await using var server = await StartAsync();
        await using (var client = await LoginAsync(server))
        {
            server.GetMailbox("alice").Add("Subject: late\r\n\r\nx\r\n"u8.ToArray());
            Assert.StartsWith("+OK 2 ", await client.Pop3CommandAsync("STAT"), StringComparison.Ordinal);
            await client.Pop3CommandAsync("QUIT");
        }

        await Eventually.TrueAsync(() => !server.GetMailbox("alice").IsLocked, "QUIT releases the maildrop");
        await using var next = await LoginAsync(server);
        Assert.StartsWith("+OK 3 ", await next.Pop3CommandAsync("STAT"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_without_a_configured_mailbox_get_an_empty_one()
    {
        await using var server = await StartAsync();
        await using var client = await LoginAsync(server, "bob", "hunter2");
        Assert.Equal("+OK 0 0", await client.Pop3CommandAsync("STAT"));
        Assert.Empty(server.GetMailbox("bob").Messages);
    }
}
