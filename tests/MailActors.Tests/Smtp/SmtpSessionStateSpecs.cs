using Akka.Actor;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Tests.Smtp;

/// <summary>Every resting behaviour of the session, and every command it must refuse without touching the wire.</summary>
public sealed class SmtpSessionStateSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static readonly MessageContent SmallContent = MessageContent.FromBytes("Subject: t\r\n\r\nhello\r\n"u8.ToArray());

    public static TheoryData<string> CommandsIllegalWhenDisconnected => new()
    {
        "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "DATASTART", "DATASEND", "DATAEND", "BDAT", "TRANSACTION",
        "RSET", "NOOP", "VRFY", "EXPN", "HELP", "ETRN", "RAW", "QUIT",
    };

    private static ICommand Command(string name) => name switch
    {
        "EHLO" => new Hello(),
        "STARTTLS" => StartTls.Instance,
        "AUTH" => new Authenticate(new("u", "p")),
        "MAIL" => new Mail("a@example.test"),
        "RCPT" => new Recipient("b@example.test"),
        "DATA" => new Data(SmallContent),
        "DATASTART" => DataStart.Instance,
        "DATASEND" => new DataSend("x"u8.ToArray()),
        "DATAEND" => DataEnd.Instance,
        "BDAT" => new Bdat("x"u8.ToArray(), true),
        "TRANSACTION" => new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], SmallContent),
        "RSET" => Reset.Instance,
        "NOOP" => Noop.Instance,
        "VRFY" => new Verify("a"),
        "EXPN" => new Expand("list"),
        "HELP" => new Help(),
        "ETRN" => new Etrn("example.test"),
        "RAW" => new Raw(SmtpCommand.Raw("XYZZY")),
        "QUIT" => Quit.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(CommandsIllegalWhenDisconnected))]
    public async Task Disconnected_refuses_every_command_but_connect_without_opening_a_connection(string name)
    {
        var server = await StartServerAsync();
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server)));

        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal("Disconnected", error.State);
        Assert.Equal(0, server.SessionsOpened);
    }

    [Fact]
    public async Task Connect_reads_the_greeting_sends_EHLO_and_rests_in_Ready()
    {
        var server = await StartServerAsync();
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server)));

        var connected = await session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10));

        Assert.Equal(220, connected.Greeting.Code);
        Assert.Equal("localhost", connected.ServerDomain);
        Assert.True(connected.Capabilities.Pipelining);
        Assert.Equal("Ready", await StateOf(session));
        Assert.Equal("client.example.test", server.Sessions.Single().HeloName);
    }

    [Fact]
    public async Task A_session_stopped_while_it_connects_closes_the_connection_that_opens_after()
    {
        // What a route supervisor does to a session that is still connecting when it shuts down or shrinks.
        var server = await StartServerAsync(new SmtpTestServerOptions { ImplicitTls = true });
        var checkedIt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var settings = SettingsFor(server) with { TlsMode = TlsMode.Implicit };
        settings = settings with { Connection = settings.Connection with { Tls = SlowCertificateCheck(checkedIt) } };
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));
        session.Tell(Connect.Instance);
        await Task.Delay(300);

        await session.GracefulStop(TimeSpan.FromSeconds(5));

        await AwaitNoServerSessionAfter(checkedIt, () => server.SessionsActive);
    }

    [Theory]
    [InlineData("STARTTLS")]
    [InlineData("AUTH")]
    [InlineData("MAIL")]
    [InlineData("RCPT")]
    [InlineData("DATA")]
    [InlineData("BDAT")]
    [InlineData("TRANSACTION")]
    [InlineData("RSET")]
    public async Task Greeting_without_hello_refuses_transaction_and_security_commands(string name)
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server) with { SendHello = false });
        Assert.Equal("Greeting", await StateOf(session));

        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal("Greeting", error.State);
        Assert.Empty(server.Sessions.Single().CommandLog);
    }

    [Fact]
    public async Task Greeting_accepts_hello_and_moves_to_Ready()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server) with { SendHello = false });

        var greeted = await session.Ask<Greeted>(new Hello("late.example.test"), TimeSpan.FromSeconds(5));

        Assert.False(greeted.UsedHelo);
        Assert.Equal("Ready", await StateOf(session));
        Assert.Equal("late.example.test", server.Sessions.Single().HeloName);
    }

    [Theory]
    [InlineData("RCPT")]
    [InlineData("DATA")]
    [InlineData("DATASTART")]
    [InlineData("DATASEND")]
    [InlineData("DATAEND")]
    [InlineData("BDAT")]
    public async Task Ready_refuses_commands_that_need_a_transaction(string name)
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        var before = server.Sessions.Single().CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal("Ready", error.State);
        Assert.Equal(before, server.Sessions.Single().CommandLog.Count);
    }

    [Theory]
    [InlineData("EHLO")]
    [InlineData("STARTTLS")]
    [InlineData("AUTH")]
    [InlineData("MAIL")]
    [InlineData("TRANSACTION")]
    [InlineData("ETRN")]
    [InlineData("DATA")]
    [InlineData("BDAT")]
    [InlineData("DATASEND")]
    public async Task InTransaction_refuses_commands_that_would_break_the_transaction(string name)
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        var mail = await session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(5));
        Assert.True(mail.IsPositiveCompletion);
        var before = server.Sessions.Single().CommandLog.Count;

        // DATA and BDAT are refused here because no recipient has been accepted yet.
        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.StartsWith("InTransaction", error.State, StringComparison.Ordinal);
        Assert.Equal(before, server.Sessions.Single().CommandLog.Count);
    }

    [Theory]
    [InlineData("RCPT")]
    [InlineData("RSET")]
    [InlineData("NOOP")]
    [InlineData("QUIT")]
    [InlineData("MAIL")]
    public async Task InData_refuses_everything_but_content(string name)
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        await session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(5));
        await session.Ask<SmtpReply>(new Recipient("b@example.test"), TimeSpan.FromSeconds(5));
        var go = await session.Ask<SmtpReply>(DataStart.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(354, go.Code);

        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal("InData", error.State);
    }

    [Fact]
    public async Task Streamed_data_arrives_intact_and_returns_to_Ready()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        await session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(5));
        await session.Ask<SmtpReply>(new Recipient("b@example.test"), TimeSpan.FromSeconds(5));
        await session.Ask<SmtpReply>(DataStart.Instance, TimeSpan.FromSeconds(5));

        // Split across sends: a dot at the start of a line, a bare LF, and a CRLF split between two sends.
        await session.Ask<DataWritten>(new DataSend("Subject: s\r\n\r\n.leading dot\r"u8.ToArray()), TimeSpan.FromSeconds(5));
        await session.Ask<DataWritten>(new DataSend("\nbare lf\nend"u8.ToArray()), TimeSpan.FromSeconds(5));
        var final = await session.Ask<SmtpReply>(DataEnd.Instance, TimeSpan.FromSeconds(5));

        Assert.True(final.IsPositiveCompletion);
        Assert.Equal("Ready", await StateOf(session));
        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(5));
        Assert.Equal("Subject: s\r\n\r\n.leading dot\r\nbare lf\r\nend\r\n", server.Messages.Single().DataText);
    }

    [Fact]
    public async Task Rset_ends_the_transaction()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        await session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(5));
        Assert.Equal("InTransaction", await StateOf(session));

        var reply = await session.Ask<SmtpReply>(Reset.Instance, TimeSpan.FromSeconds(5));

        Assert.Equal(250, reply.Code);
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task Closed_answers_every_command_with_session_closed()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var bye = await session.Ask<SmtpReply>(Quit.Instance, TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<MailSessionClosedException>(() => session.Ask<object>(Noop.Instance, TimeSpan.FromSeconds(5)));

        Assert.Equal(221, bye.Code);
        Assert.Contains("NOOP", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task Commands_sent_concurrently_are_served_one_at_a_time_in_order()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => session.Ask<SmtpReply>(Noop.Instance, TimeSpan.FromSeconds(10)))));

        Assert.All(replies, r => Assert.Equal(250, r.Code));
        Assert.Equal(50, server.Sessions.Single().CommandLog.Count(c => c.StartsWith("NOOP", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Ehlo_refused_with_5xx_falls_back_to_helo()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { RejectEhlo = true });
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server)));

        var connected = await session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(5));

        Assert.Empty(connected.Capabilities.Keywords);
        Assert.Contains(server.Sessions.Single().CommandLog, c => c.StartsWith("HELO ", StringComparison.Ordinal));
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task Ehlo_refused_with_4xx_is_not_a_reason_to_try_helo()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("EHLO", FaultAction.Reply("451 4.3.0 try again later")));
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server)));

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(5)));

        Assert.Equal(451, error.Reply.Code);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("HELO", StringComparison.Ordinal));
    }
}
