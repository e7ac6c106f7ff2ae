using Akka.Actor;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Tests.Smtp;

/// <summary>Servers that misbehave: silence, garbage, over-long replies, hang-ups, 421. Each ends the session cleanly.</summary>
public sealed class SmtpSessionFailureSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static SmtpSessionSettings Quick(SmtpSessionSettings settings) => settings with { CommandTimeout = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task A_server_that_never_answers_times_out_and_closes_the_session()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("MAIL", FaultAction.Tarpit()));
        var session = await ConnectedSessionAsync(Quick(SettingsFor(server)));

        var error = await Assert.ThrowsAsync<MailTimeoutException>(() => session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(10)));

        Assert.Contains("MAIL", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_session_idle_for_several_timeouts_stays_open_and_still_times_out_a_later_silence()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(Quick(SettingsFor(server)));

        // Nothing awaited: the watchdog that checks the reply timeout must not fire (a reply timeout counted from a read
        // that has finished would close the session here).
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(250, (await session.Ask<SmtpReply>(new Noop(), TimeSpan.FromSeconds(10))).Code);

        // ... and once a reply is awaited again, it is back on watch.
        server.Faults.Add(FaultRule.On("MAIL", FaultAction.Tarpit()));
        await Assert.ThrowsAsync<MailTimeoutException>(() => session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(10)));
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_silent_greeting_times_out()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On(FaultCommands.Connect, FaultAction.Tarpit()));
        var session = Sys.ActorOf(SmtpSessionActor.Props(Quick(SettingsFor(server))));

        await Assert.ThrowsAsync<MailTimeoutException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_greeting_dripped_a_line_at_a_time_times_out_as_a_whole_reply()
    {
        // Every line comes well within the timeout, the reply as a whole does not: the timeout is per reply (RFC 5321
        // §4.5.3.2), so a server cannot hold a session for ever by never finishing one.
        await using var drip = new RawServer(async c =>
        {
            for (var i = 0; i < 120; i++)
            {
                await c.SendAsync("220-still greeting\r\n");
                await Task.Delay(500);
            }
            await c.SendAsync("220 done\r\n");
            await c.ExpectAsync("QUIT");
        });
        var settings = new SmtpSessionSettings
        {
            Connection = Loopback(drip.Port),
            CommandTimeout = TimeSpan.FromSeconds(1),
        };
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailTimeoutException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(90)));

        // The timeout plus up to one watchdog interval (a quarter of it), with wide room for a busy shared machine: the
        // drip lasts a minute, so only a per-reply timeout ends the connect well before that.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the connect failed only after {clock.Elapsed}: {error.Message}");
        Assert.Contains("within 1s", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_garbage_reply_is_a_protocol_error_that_ends_the_session()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("NOOP", FaultAction.Garbage("this is not smtp\r\n")));
        var session = await ConnectedSessionAsync(SettingsFor(server));

        await Assert.ThrowsAsync<MailProtocolException>(() => session.Ask<SmtpReply>(Noop.Instance, TimeSpan.FromSeconds(5)));

        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task An_over_long_reply_line_is_a_protocol_error_with_bounded_memory()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("NOOP", FaultAction.OverlongLine(1_000_000)));
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => session.Ask<SmtpReply>(Noop.Instance, TimeSpan.FromSeconds(5)));

        Assert.Contains("long", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_reply_with_too_many_lines_is_a_protocol_error()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("NOOP", FaultAction.UnterminatedMultiline(10_000)));
        var session = await ConnectedSessionAsync(SettingsFor(server) with { ReplyLimits = new SmtpReplyParserOptions { MaxLines = 100 } });

        await Assert.ThrowsAsync<MailProtocolException>(() => session.Ask<SmtpReply>(Noop.Instance, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_hang_up_before_the_reply_ends_the_session()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("RCPT", FaultAction.DisconnectBeforeReply()));
        var session = await ConnectedSessionAsync(SettingsFor(server));
        await session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<MailSessionClosedException>(() => session.Ask<SmtpReply>(new Recipient("b@example.test"), TimeSpan.FromSeconds(5)));

        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_421_is_delivered_and_then_the_session_is_closed()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("MAIL", FaultAction.Reply("421 4.7.0 too busy, closing")));
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var reply = await session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(5));

        Assert.Equal(421, reply.Code);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_refused_greeting_fails_connect()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On(FaultCommands.Connect, FaultAction.Reply("554 5.3.2 not accepting mail")));
        var session = Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server)));

        var error = await Assert.ThrowsAsync<MailConnectException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(5)));

        Assert.Contains("554", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosts_are_tried_in_turn_until_one_connects()
    {
        var server = await StartServerAsync();
        var dead = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        dead.Start();
        var deadPort = ((System.Net.IPEndPoint)dead.LocalEndpoint).Port;
        dead.Stop(); // nothing listens there now: connecting is refused at once
        var settings = SettingsFor(server);
        settings = settings with { Connection = settings.Connection with { Hosts = [new ServerAddress("127.0.0.1", deadPort), new ServerAddress("127.0.0.1", server.Port)] } };
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));

        var connected = await session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10));

        Assert.Equal(server.Port, connected.Host.Port);
    }

    [Fact]
    public async Task When_no_host_answers_the_error_names_each_one()
    {
        var dead = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        dead.Start();
        var deadPort = ((System.Net.IPEndPoint)dead.LocalEndpoint).Port;
        dead.Stop();
        var settings = new SmtpSessionSettings
        {
            Connection = new ConnectionSpec { Hosts = [new ServerAddress("127.0.0.1", deadPort), new ServerAddress("127.0.0.2", deadPort)], DefaultPort = deadPort },
        };
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));

        var error = await Assert.ThrowsAsync<MailConnectException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10)));

        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_TLS_handshake_the_server_never_answers_times_out()
    {
        var server = await StartServerAsync();
        await using var silent = new RawServer(async c =>
        {
            await c.SendAsync("220 silent ESMTP\r\n");
            await c.ExpectAsync("EHLO");
            await c.SendAsync("250-silent\r\n250 STARTTLS\r\n");
            await c.ExpectAsync("STARTTLS");
            await c.SendAsync("220 go ahead\r\n");
            // then swallow the ClientHello and say nothing, until the client gives up and closes
            var buffer = new byte[4096];
            while (await c.Stream.ReadAsync(buffer) > 0)
            {
            }
        });
        var settings = Quick(SettingsFor(server));
        settings = settings with { Connection = settings.Connection with { Hosts = [new ServerAddress("127.0.0.1", silent.Port)] } };
        var session = await ConnectedSessionAsync(settings);

        var error = await Assert.ThrowsAsync<MailConnectException>(() => session.Ask<TlsStarted>(StartTls.Instance, TimeSpan.FromSeconds(10)));

        Assert.IsType<MailTimeoutException>(error.InnerException);
        Assert.True(error.IsTlsFailure);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_bare_250_line_at_the_end_of_EHLO_is_accepted_as_smtp_sink_sends_it()
    {
        await using var sink = new RawServer(async c =>
        {
            await c.SendAsync("220 sink ESMTP\r\n");
            await c.ExpectAsync("EHLO");
            await c.SendAsync("250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 \r\n");
            await c.ExpectAsync("QUIT");
            await c.SendAsync("221 bye\r\n");
        });
        var settings = new SmtpSessionSettings { Connection = Loopback(sink.Port) };
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));

        var connected = await session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(5));
        var bye = await session.Ask<SmtpReply>(Quit.Instance, TimeSpan.FromSeconds(5));

        Assert.True(connected.Capabilities.Pipelining);
        Assert.True(connected.Capabilities.EightBitMime);
        Assert.Equal(221, bye.Code);
    }
}
