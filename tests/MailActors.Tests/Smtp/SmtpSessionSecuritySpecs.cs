using System.Text;
using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Protocol.Sasl;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Tests.Smtp;

/// <summary>STARTTLS, implicit TLS, certificate validation, AUTH and the redaction of secrets.</summary>
public sealed class SmtpSessionSecuritySpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-secret" };

    private static SmtpTestServerOptions AuthServer(bool requireTlsForAuth = false) => new()
    {
        AuthMechanisms = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"],
        Users = Users,
        RequireTlsForAuth = requireTlsForAuth,
    };

    [Fact]
    public async Task StartTls_upgrades_in_place_validates_the_pinned_certificate_and_greets_again()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var started = await session.Ask<TlsStarted>(StartTls.Instance, TimeSpan.FromSeconds(10));
        var info = await session.Ask<Info>(GetInfo.Instance, TimeSpan.FromSeconds(5));

        Assert.True(info.IsEncrypted);
        Assert.False(started.Capabilities.StartTls); // a server stops offering STARTTLS once TLS is up
        var log = server.Sessions.Single().CommandLog;
        Assert.Equal(2, log.Count(c => c.StartsWith("EHLO", StringComparison.Ordinal)));
        Assert.True(server.Sessions.Single().UsedTls);
    }

    [Fact]
    public async Task StartTls_mode_upgrades_during_connect_and_the_message_travels_encrypted()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server) with { TlsMode = TlsMode.StartTls });

        var result = await session.Ask<TransactionResult>(new Transaction("a@example.test", [new TransactionRecipient("b@example.test")],
            MessageContent.FromBytes("Subject: tls\r\n\r\nsecret\r\n"u8.ToArray())), TimeSpan.FromSeconds(10));

        Assert.True(result.Delivered);
        Assert.True(server.Messages.Single().UsedTls);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_the_handshake()
    {
        var server = await StartServerAsync();
        var settings = SettingsFor(server);
        settings = settings with { TlsMode = TlsMode.StartTls, Connection = settings.Connection with { Tls = new TlsOptions { TargetHost = "localhost" } } };
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));

        var error = await Assert.ThrowsAsync<MailConnectException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10)));

        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await StateOf(session));
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task A_pinned_certificate_for_another_name_still_fails()
    {
        var server = await StartServerAsync();
        var settings = SettingsFor(server);
        settings = settings with
        {
            TlsMode = TlsMode.StartTls,
            Connection = settings.Connection with { Tls = new TlsOptions { TrustedCertificates = [server.Certificate], TargetHost = "mail.other.test" } },
        };
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));

        await Assert.ThrowsAsync<MailConnectException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task With_SendHello_off_the_first_hello_runs_the_configured_StartTls_and_AUTH()
    {
        var server = await StartServerAsync(AuthServer(requireTlsForAuth: true));
        var session = await ConnectedSessionAsync(SettingsFor(server) with
        {
            SendHello = false,
            TlsMode = TlsMode.StartTls,
            Credentials = new SaslCredentials("alice", "alice-secret"),
        });

        var greeted = await session.Ask<Greeted>(new Hello(), TimeSpan.FromSeconds(10));
        var result = await session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], MessageContent.FromBytes("Subject: x\r\n\r\nx\r\n"u8.ToArray())), TimeSpan.FromSeconds(10));

        Assert.True(greeted.IsEncrypted);
        Assert.Equal("alice", greeted.AuthenticatedAs);
        Assert.True(result.Delivered);
        var received = server.Sessions.Single();
        Assert.True(received.UsedTls);
        Assert.Equal("alice", received.AuthenticatedUser);
    }

    [Fact]
    public async Task The_configured_mechanism_is_used_for_the_login_during_connect()
    {
        var server = await StartServerAsync(AuthServer());
        var session = await ConnectedSessionAsync(SettingsFor(server) with
        {
            TlsMode = TlsMode.StartTls,
            Credentials = new SaslCredentials("alice", "alice-secret"),
            AuthMechanism = "LOGIN", // not the strongest offered (SCRAM-SHA-256 is)
        });

        await session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], MessageContent.FromBytes("Subject: x\r\n\r\nx\r\n"u8.ToArray())), TimeSpan.FromSeconds(10));

        Assert.Contains(server.Sessions.Single().CommandLog, c => c.StartsWith("AUTH LOGIN", StringComparison.Ordinal));
        Assert.Equal("alice", server.Messages.Single().AuthenticatedUser);
    }

    [Fact]
    public async Task StartTls_required_but_not_offered_fails_connect()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { StartTls = false });
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server) with { TlsMode = TlsMode.StartTls }));

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10)));

        Assert.Equal("STARTTLS", error.Extension);
    }

    [Fact]
    public async Task StartTls_when_available_stays_plain_when_not_offered()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { StartTls = false });
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server) with { TlsMode = TlsMode.StartTlsWhenAvailable }));

        var connected = await session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10));

        Assert.False(connected.IsEncrypted);
    }

    [Fact]
    public async Task Implicit_tls_is_up_before_the_greeting()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { ImplicitTls = true });
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server) with { TlsMode = TlsMode.Implicit }));

        var connected = await session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10));

        Assert.True(connected.IsEncrypted);
        Assert.Equal(220, connected.Greeting.Code);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    [InlineData("CRAM-MD5")]
    [InlineData("SCRAM-SHA-256")]
    public async Task Auth_succeeds_with_each_mechanism_after_starttls(string mechanism)
    {
        var server = await StartServerAsync(AuthServer());
        var session = await ConnectedSessionAsync(SettingsFor(server) with { TlsMode = TlsMode.StartTls });

        var done = await session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "alice-secret"), mechanism), TimeSpan.FromSeconds(10));

        Assert.Equal(mechanism, done.Mechanism);
        Assert.Equal(235, done.Reply.Code);
        Assert.Equal("alice", server.Sessions.Single().AuthenticatedUser);
    }

    [Fact]
    public async Task Auth_picks_the_strongest_offered_mechanism()
    {
        var server = await StartServerAsync(AuthServer());
        var session = await ConnectedSessionAsync(SettingsFor(server) with { TlsMode = TlsMode.StartTls });

        var done = await session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "alice-secret")), TimeSpan.FromSeconds(10));

        Assert.Equal("SCRAM-SHA-256", done.Mechanism);
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_error_and_the_session_stays_usable()
    {
        var server = await StartServerAsync(AuthServer());
        var session = await ConnectedSessionAsync(SettingsFor(server) with { TlsMode = TlsMode.StartTls });

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "wrong"), "PLAIN"), TimeSpan.FromSeconds(10)));
        var noop = await session.Ask<SmtpReply>(Noop.Instance, TimeSpan.FromSeconds(5));

        Assert.Contains("535", error.Message, StringComparison.Ordinal);
        Assert.Equal(250, noop.Code);
        Assert.Null(server.Sessions.Single().AuthenticatedUser);
    }

    [Fact]
    public async Task Credentials_never_cross_cleartext_unless_the_caller_opts_in()
    {
        var server = await StartServerAsync(AuthServer());
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "alice-secret"), "PLAIN"), TimeSpan.FromSeconds(5)));

        Assert.Contains("unencrypted", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cleartext_auth_works_when_opted_in()
    {
        var server = await StartServerAsync(AuthServer());
        var session = await ConnectedSessionAsync(SettingsFor(server) with { AllowCleartextAuthentication = true });

        var done = await session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "alice-secret"), "LOGIN"), TimeSpan.FromSeconds(5));

        Assert.Equal(235, done.Reply.Code);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    [InlineData("CRAM-MD5")]
    [InlineData("SCRAM-SHA-256")]
    public async Task The_transcript_never_shows_the_AUTH_exchange(string mechanism)
    {
        var server = await StartServerAsync(AuthServer());
        var transcript = new CollectingTranscript();
        var session = await ConnectedSessionAsync(SettingsFor(server, transcript) with { TlsMode = TlsMode.StartTls });

        await session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "alice-secret"), mechanism), TimeSpan.FromSeconds(10));

        var text = transcript.ToString();
        Assert.Contains($"C: AUTH {mechanism}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("alice-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("alice")), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0alice-secret")), text, StringComparison.Ordinal);
        // Every AUTH line after the command itself and every 334 challenge is masked.
        var authLines = transcript.Lines.SkipWhile(l => !l.Line.StartsWith("AUTH", StringComparison.Ordinal)).TakeWhile(l => !l.Line.StartsWith("235", StringComparison.Ordinal)).Skip(1);
        Assert.All(authLines, l => Assert.Contains("****", l.Line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_AUTH_is_refused_without_touching_the_wire()
    {
        var server = await StartServerAsync(AuthServer());
        var session = await ConnectedSessionAsync(SettingsFor(server) with { TlsMode = TlsMode.StartTls });
        await session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "alice-secret"), "PLAIN"), TimeSpan.FromSeconds(10));
        var before = server.CommandLog.Count;

        await Assert.ThrowsAsync<MailStateException>(() =>
            session.Ask<Authenticated>(new Authenticate(new SaslCredentials("alice", "alice-secret")), TimeSpan.FromSeconds(5)));

        Assert.Equal(before, server.CommandLog.Count);
    }

    [Fact]
    public async Task A_reply_injected_in_the_same_segment_as_the_STARTTLS_go_ahead_is_never_read_as_a_reply()
    {
        // Someone on the path appends a forged EHLO reply to the server's 220, in the same write, so it reaches the
        // client's reader together with the 220. The server then really does TLS and answers the new EHLO with its own
        // capabilities. A client that kept the buffered line would take "250 forged" as its EHLO reply (and the real
        // one as the reply to QUIT); a correct one drops it with the plaintext reader. (Bytes that arrived later would
        // be read by TLS and break the handshake, which is no test of the client.)
        await using var server = new RawServer(async plain =>
        {
            await plain.SendAsync("220 mail.example.test ESMTP\r\n");
            await plain.ExpectAsync("EHLO");
            await plain.SendAsync("250-mail.example.test\r\n250 STARTTLS\r\n");
            await plain.ExpectAsync("STARTTLS");
            await plain.SendAsync("220 go ahead\r\n250 forged\r\n");
            var tls = await plain.StartTlsAsync(TestCertificates.Localhost);
            await tls.ExpectAsync("EHLO");
            await tls.SendAsync("250-secure.example.test\r\n250-PIPELINING\r\n250-AUTH PLAIN\r\n250 SIZE 1000\r\n");
            await tls.ExpectAsync("QUIT");
            await tls.SendAsync("221 bye\r\n");
        });
        var transcript = new CollectingTranscript();
        var settings = new SmtpSessionSettings
        {
            Connection = Loopback(server.Port, TestCertificates.Localhost),
            CommandTimeout = TimeSpan.FromSeconds(5),
            Transcript = transcript,
        };
        var session = await ConnectedSessionAsync(settings);

        var started = await session.Ask<TlsStarted>(StartTls.Instance, TimeSpan.FromSeconds(10));
        var bye = await session.Ask<SmtpReply>(Quit.Instance, TimeSpan.FromSeconds(10));

        Assert.Equal("secure.example.test", started.Capabilities.ServerDomain);
        Assert.Equal(["AUTH", "PIPELINING", "SIZE"], started.Capabilities.Keywords.Keys.Order());
        Assert.Equal(221, bye.Code);
        Assert.DoesNotContain("forged", transcript.ToString(), StringComparison.Ordinal);
    }
}
