using MailActors.Diagnostics;
using MailActors.Pop3;
using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Tests.Pop3;

/// <summary>TLS (STLS and implicit) with certificate validation on, the cleartext rule, and transcript redaction.</summary>
public sealed class Pop3SessionSecuritySpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    [Fact]
    public async Task Stls_upgrades_asks_capa_again_and_then_logs_in()
    {
        var server = await StartPop3ServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server) with { AllowCleartextAuthentication = false });

        var started = await AskPop3<TlsStarted>(session, StartTls.Instance);
        var loggedIn = await AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password));

        Assert.False(started.Capabilities.Stls);
        Assert.True(started.Capabilities.Uidl);
        Assert.Equal("USER", loggedIn.Method);
        Assert.True((await AskPop3<Info>(session, GetInfo.Instance)).IsEncrypted);
        Assert.Equal(["CAPA", "STLS", "CAPA", "USER alice"], server.CommandLog.Take(4));
    }

    [Fact]
    public async Task Stls_during_connect_when_required()
    {
        var server = await StartPop3ServerAsync();
        var settings = Pop3SettingsFor(server) with { TlsMode = TlsMode.StartTls, AllowCleartextAuthentication = false, Credentials = new SaslCredentials(Pop3User, Pop3Password) };

        var connected = await AskPop3<Connected>(Sys.ActorOf(Pop3SessionActor.Props(settings)), Connect.Instance);

        Assert.True(connected.IsEncrypted);
        Assert.NotNull(connected.Login);
    }

    [Fact]
    public async Task Required_stls_that_the_server_does_not_offer_fails_the_connect()
    {
        var server = await StartPop3ServerAsync(o => o with { StartTls = false });
        var settings = Pop3SettingsFor(server) with { TlsMode = TlsMode.StartTls };

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => AskPop3<Connected>(Sys.ActorOf(Pop3SessionActor.Props(settings)), Connect.Instance));

        Assert.Equal("STLS", error.Extension);
    }

    [Fact]
    public async Task Opportunistic_stls_stays_plain_when_not_offered()
    {
        var server = await StartPop3ServerAsync(o => o with { StartTls = false });
        var settings = Pop3SettingsFor(server) with { TlsMode = TlsMode.StartTlsWhenAvailable };

        var connected = await AskPop3<Connected>(Sys.ActorOf(Pop3SessionActor.Props(settings)), Connect.Instance);

        Assert.False(connected.IsEncrypted);
    }

    [Fact]
    public async Task Implicit_tls_connects_with_a_validated_certificate()
    {
        var server = await StartPop3ServerAsync(o => o with { ImplicitTls = true, StartTls = false });
        var settings = Pop3SettingsFor(server) with { TlsMode = TlsMode.Implicit, AllowCleartextAuthentication = false };

        var session = await ConnectedPop3SessionAsync(settings);
        var loggedIn = await AskPop3<LoggedIn>(session, new Pop3Session.Apop(Pop3User, Pop3Password));

        Assert.Equal("APOP", loggedIn.Method);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_the_handshake()
    {
        var server = await StartPop3ServerAsync(o => o with { ImplicitTls = true, StartTls = false });
        var settings = Pop3SettingsFor(server) with
        {
            TlsMode = TlsMode.Implicit,
            Connection = Pop3SettingsFor(server).Connection with { Tls = new TlsOptions { TargetHost = "localhost" } },
        };

        await Assert.ThrowsAsync<MailConnectException>(() => AskPop3<Connected>(Sys.ActorOf(Pop3SessionActor.Props(settings)), Connect.Instance));

        Assert.Equal(0, server.LoginsSucceeded);
    }

    [Fact]
    public async Task A_pinned_certificate_for_another_name_still_fails()
    {
        var server = await StartPop3ServerAsync();
        var settings = Pop3SettingsFor(server) with
        {
            Connection = Pop3SettingsFor(server).Connection with { Tls = new TlsOptions { TrustedCertificates = [server.Certificate], TargetHost = "mail.example.test" } },
        };
        var session = await ConnectedPop3SessionAsync(settings);

        await Assert.ThrowsAsync<MailConnectException>(() => AskPop3<TlsStarted>(session, StartTls.Instance));

        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Theory]
    [InlineData("LOGIN")]
    [InlineData("APOP")]
    [InlineData("AUTH")]
    [InlineData("PASS")]
    public async Task Credentials_are_refused_over_cleartext_without_opting_in(string how)
    {
        var server = await StartPop3ServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server) with { AllowCleartextAuthentication = false });
        if (how == "PASS")
        {
            await AskPop3<Pop3Response>(session, new User(Pop3User));
        }
        var before = server.CommandLog.Count;
        ICommand command = how switch
        {
            "LOGIN" => new Login(Pop3User, Pop3Password),
            "APOP" => new Pop3Session.Apop(Pop3User, Pop3Password),
            "AUTH" => new Authenticate(new SaslCredentials(Pop3User, Pop3Password)),
            _ => new Pass(Pop3Password),
        };

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => AskPop3<LoggedIn>(session, command));

        Assert.Contains("unencrypted", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, server.CommandLog.Count);
        Assert.Equal("Authorization", await Pop3StateOf(session));
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    [InlineData("CRAM-MD5")]
    [InlineData("SCRAM-SHA-256")]
    public async Task Auth_succeeds_with_each_mechanism_and_the_transcript_never_shows_the_exchange(string mechanism)
    {
        var server = await StartPop3ServerAsync();
        var transcript = new CollectingTranscript();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server, transcript));
        await AskPop3<TlsStarted>(session, StartTls.Instance);

        var loggedIn = await AskPop3<LoggedIn>(session, new Authenticate(new SaslCredentials(Pop3User, Pop3Password), mechanism));

        Assert.Equal("AUTH " + mechanism, loggedIn.Method);
        var text = transcript.ToString();
        Assert.DoesNotContain(Pop3Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("\0alice\0s3cret"u8), text, StringComparison.Ordinal);
        Assert.All(transcript.Lines.Where(l => l.Direction == TranscriptDirection.Server && l.Line.StartsWith('+') && !l.Line.StartsWith("+OK", StringComparison.Ordinal)),
            l => Assert.Equal("+ ****", l.Line));
    }

    [Fact]
    public async Task The_transcript_redacts_pass_and_apop()
    {
        var server = await StartPop3ServerAsync();
        var transcript = new CollectingTranscript();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server, transcript));

        await AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password));
        await AskPop3<Pop3Response>(session, Quit.Instance);
        var apopSession = await ConnectedPop3SessionAsync(Pop3SettingsFor(server, transcript));
        var timestamp = (await AskPop3<Info>(apopSession, GetInfo.Instance)).Greeting!.Text;
        await AskPop3<LoggedIn>(apopSession, new Pop3Session.Apop(Pop3User, Pop3Password));

        var lines = transcript.Lines.Where(l => l.Direction == TranscriptDirection.Client).Select(l => l.Line).ToList();
        Assert.Contains("PASS ****", lines);
        Assert.Contains("APOP alice ****", lines);
        Assert.DoesNotContain(Pop3Password, transcript.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Protocol.Pop3.Apop.Digest(Protocol.Pop3.Apop.ExtractTimestamp(timestamp)!, Pop3Password), transcript.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apop_is_refused_locally_when_the_greeting_has_no_timestamp()
    {
        var server = await StartPop3ServerAsync(o => o with { Apop = false });
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));
        var before = server.CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => AskPop3<LoggedIn>(session, new Pop3Session.Apop(Pop3User, Pop3Password)));

        Assert.Equal("APOP", error.Extension);
        Assert.Equal(before, server.CommandLog.Count);
    }

    [Fact]
    public async Task A_response_injected_in_the_same_segment_as_the_STLS_go_ahead_is_never_read_as_a_response()
    {
        // As for STARTTLS: a forged CAPA response rides in the same write as the +OK to STLS, then the server really
        // does TLS and answers the new CAPA itself. A client that kept the buffered bytes would list FORGED as the
        // server's capabilities (and take the real CAPA as the answer to QUIT).
        await using var server = new RawServer(async plain =>
        {
            await plain.SendAsync("+OK ready\r\n");
            await plain.ExpectAsync("CAPA");
            await plain.SendAsync("+OK\r\nSTLS\r\nUSER\r\n.\r\n");
            await plain.ExpectAsync("STLS");
            await plain.SendAsync("+OK begin\r\n+OK forged\r\nFORGED\r\n.\r\n");
            var tls = await plain.StartTlsAsync(TestCertificates.Localhost);
            await tls.ExpectAsync("CAPA");
            await tls.SendAsync("+OK\r\nUSER\r\nUIDL\r\nSASL PLAIN\r\n.\r\n");
            await tls.ExpectAsync("QUIT");
            await tls.SendAsync("+OK bye\r\n");
        });
        var transcript = new CollectingTranscript();
        var settings = new Pop3SessionSettings
        {
            Connection = Loopback(server.Port, TestCertificates.Localhost),
            CommandTimeout = TimeSpan.FromSeconds(5),
            Transcript = transcript,
        };
        var session = await ConnectedPop3SessionAsync(settings);

        var started = await AskPop3<TlsStarted>(session, StartTls.Instance);
        var bye = await AskPop3<Pop3Response>(session, Quit.Instance);

        Assert.Equal(["USER", "UIDL", "SASL PLAIN"], started.Capabilities.Lines);
        Assert.Equal("bye", bye.Text);
        Assert.DoesNotContain("forged", transcript.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
