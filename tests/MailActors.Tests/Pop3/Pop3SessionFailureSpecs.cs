using Akka.Actor;
using MailActors.Pop3;
using MailActors.Protocol;
using MailActors.Protocol.Pop3;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Tests.Pop3;

/// <summary>Bad input: every -ERR is a typed error with the server's text and response code; malformed, endless or
/// silent responses end the session with a bounded, typed error.</summary>
public sealed class Pop3SessionFailureSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private Task<Pop3TestServer> ServerWithFault(string command, FaultAction action) =>
        StartPop3ServerAsync(o => o with { Faults = [FaultRule.On(command, action)] });

    /// <summary>A session to a <see cref="RawServer"/>: no CAPA (so USER/PASS logs in), cleartext login.</summary>
    private static Pop3SessionSettings RawPop3Settings(int port, TimeSpan timeout) => new()
    {
        Connection = Loopback(port),
        RequestCapabilities = false,
        AllowCleartextAuthentication = true,
        CommandTimeout = timeout,
    };

    [Fact]
    public async Task An_err_greeting_is_a_typed_error_with_its_response_code_and_closes_the_session()
    {
        var server = await ServerWithFault(FaultCommands.Connect, FaultAction.Reply("-ERR [SYS/TEMP] maintenance"));
        var session = Sys.ActorOf(Pop3SessionActor.Props(Pop3SettingsFor(server)));

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<Connected>(session, Connect.Instance));

        Assert.Equal("greeting", error.Command);
        Assert.Equal("SYS/TEMP", error.ResponseCode);
        Assert.Equal("maintenance", error.ServerText);
        Assert.True(error.IsTransient);
        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Theory]
    [InlineData("USER", "-ERR [SYS/PERM] no such mailbox", "SYS/PERM", false)]
    [InlineData("PASS", "-ERR [IN-USE] locked elsewhere", "IN-USE", true)]
    [InlineData("PASS", "-ERR [LOGIN-DELAY] wait a minute", "LOGIN-DELAY", true)]
    [InlineData("PASS", "-ERR [AUTH] bad password", "AUTH", false)]
    public async Task An_err_at_login_carries_the_response_code_and_leaves_the_session_in_Authorization(string verb, string reply, string code, bool transient)
    {
        var server = await ServerWithFault(verb, FaultAction.Reply(reply));
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password)));

        Assert.Equal(verb, error.Command);
        Assert.Equal(code, error.ResponseCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.True(error.IsAuthenticationFailure);
        Assert.Equal("Authorization", await Pop3StateOf(session));
    }

    [Theory]
    [InlineData("STAT")]
    [InlineData("LIST")]
    [InlineData("UIDL")]
    [InlineData("RETR")]
    [InlineData("TOP")]
    [InlineData("DELE")]
    [InlineData("RSET")]
    [InlineData("NOOP")]
    [InlineData("LAST")]
    [InlineData("CAPA")]
    public async Task An_err_in_Transaction_is_a_typed_error_and_the_session_goes_on(string verb)
    {
        var server = await ServerWithFault(verb, FaultAction.Reply("-ERR [SYS/TEMP] try later"));
        var session = await LoggedInPop3SessionAsync(server);
        ICommand command = verb switch
        {
            "STAT" => Stat.Instance,
            "LIST" => new List(),
            "UIDL" => new Uidl(1),
            "RETR" => new Retrieve(1),
            "TOP" => new Top(1, 0),
            "DELE" => new Delete(1),
            "RSET" => Reset.Instance,
            "NOOP" => Noop.Instance,
            "LAST" => Last.Instance,
            _ => Capa.Instance,
        };

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => session.Ask<object>(command, TimeSpan.FromSeconds(5)));

        Assert.Equal(verb, error.Command);
        Assert.Equal("SYS/TEMP", error.ResponseCode);
        Assert.Equal("try later", error.ServerText);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Fact]
    public async Task An_endless_multiline_response_ends_the_session_at_the_size_limit()
    {
        var server = await ServerWithFault("RETR", FaultAction.UnterminatedMultiline());
        var settings = Pop3SettingsFor(server) with { ResponseLimits = new Pop3ParserOptions { MaxResponseBytes = 256 * 1024 } };
        var session = await ConnectedPop3SessionAsync(settings);
        await AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password));

        var error = await Assert.ThrowsAsync<Pop3ProtocolException>(() => AskPop3<MessageRetrieved>(session, new Retrieve(1)));

        Assert.Contains("262144", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Fact]
    public async Task An_endless_streamed_message_ends_the_reader_with_the_protocol_error()
    {
        var server = await ServerWithFault("RETR", FaultAction.UnterminatedMultiline());
        var settings = Pop3SettingsFor(server) with { ResponseLimits = new Pop3ParserOptions { MaxResponseBytes = 512 * 1024 } };
        var session = await ConnectedPop3SessionAsync(settings);
        await AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password));

        var streaming = await AskPop3<MessageStreaming>(session, new Retrieve(1, MessageTarget.Streamed));
        var error = await Assert.ThrowsAsync<Pop3ProtocolException>(() => streaming.Body.CopyToAsync(Stream.Null));

        Assert.Contains("524288", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Fact]
    public async Task An_overlong_listing_line_is_a_protocol_error()
    {
        var server = await ServerWithFault("UIDL", FaultAction.Garbage("+OK\r\n1 " + new string('u', 20000) + "\r\n.\r\n"));
        var session = await LoggedInPop3SessionAsync(server);

        await Assert.ThrowsAsync<Pop3ProtocolException>(() => AskPop3<UniqueIds>(session, new Uidl()));

        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Fact]
    public async Task An_overlong_status_line_is_a_protocol_error()
    {
        var server = await ServerWithFault("STAT", FaultAction.OverlongLine(100_000));
        var session = await LoggedInPop3SessionAsync(server);

        var error = await Assert.ThrowsAsync<Pop3ProtocolException>(() => AskPop3<MailboxStatus>(session, Stat.Instance));

        Assert.Contains("8192", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STAT", "+OK lots\r\n")]
    [InlineData("LIST", "+OK\r\n1 big\r\n.\r\n")]
    [InlineData("NOOP", "HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("LAST", "+OK none\r\n")]
    public async Task A_malformed_response_is_a_protocol_error_that_ends_the_session(string verb, string garbage)
    {
        var server = await ServerWithFault(verb, FaultAction.Garbage(garbage));
        var session = await LoggedInPop3SessionAsync(server);
        ICommand command = verb switch { "STAT" => Stat.Instance, "LIST" => new List(), "NOOP" => Noop.Instance, _ => Last.Instance };

        await Assert.ThrowsAnyAsync<MailProtocolException>(() => session.Ask<object>(command, TimeSpan.FromSeconds(5)));

        Assert.Equal("Closed", await Pop3StateOf(session));
        await Assert.ThrowsAsync<MailSessionClosedException>(() => AskPop3<Pop3Response>(session, Noop.Instance));
    }

    [Fact]
    public async Task A_silent_server_times_out_and_the_session_closes()
    {
        var server = await ServerWithFault("RETR", FaultAction.Tarpit());
        var settings = Pop3SettingsFor(server) with { CommandTimeout = TimeSpan.FromMilliseconds(500) };
        var session = await ConnectedPop3SessionAsync(settings);
        await AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password));

        var error = await Assert.ThrowsAsync<MailTimeoutException>(() => AskPop3<MessageRetrieved>(session, new Retrieve(1)));

        Assert.Contains("RETR", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Fact]
    public async Task A_status_line_dripped_a_byte_at_a_time_times_out_as_a_whole()
    {
        // Each byte comes well within the timeout, the line as a whole does not: a status line is timed from the first
        // wait for it, so a server cannot hold a session for ever by never finishing one.
        await using var drip = new RawServer(async c =>
        {
            await c.SendAsync("+OK ");
            for (var i = 0; i < 120; i++)
            {
                await Task.Delay(500);
                await c.SendAsync("x");
            }
            await c.SendAsync("\r\n");
            await c.ExpectAsync("QUIT");
        });
        var settings = RawPop3Settings(drip.Port, TimeSpan.FromSeconds(1));
        var session = Sys.ActorOf(Pop3SessionActor.Props(settings));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailTimeoutException>(() => session.Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(90)));

        // The timeout plus up to one watchdog interval (a quarter of it), with wide room for a busy shared machine: the
        // drip lasts a minute, so only a per-reply timeout ends the connect well before that.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the connect failed only after {clock.Elapsed}: {error.Message}");
        Assert.Contains("within 1s", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Fact]
    public async Task A_message_that_keeps_arriving_is_read_however_long_it_takes()
    {
        // The other side of the status-line rule: a multi-line body is timed between bytes, not as a whole, because a
        // large RETR over a slow link legitimately takes longer than the timeout.
        await using var slow = new RawServer(async c =>
        {
            await c.SendAsync("+OK ready\r\n");
            await c.ExpectAsync("USER");
            await c.SendAsync("+OK\r\n");
            await c.ExpectAsync("PASS");
            await c.SendAsync("+OK 1 message\r\n");
            await c.ExpectAsync("RETR");
            await c.SendAsync("+OK message follows\r\nSubject: slow\r\n\r\n");
            for (var i = 0; i < 14; i++)
            {
                await Task.Delay(300);
                await c.SendAsync($"line {i}\r\n");
            }
            await c.SendAsync(".\r\n");
            await c.ExpectAsync("QUIT");
            await c.SendAsync("+OK bye\r\n");
        });
        // Gaps of 0.3 s against a 3 s timeout leave room for stalls of a busy shared machine; the body takes over 4 s.
        var timeout = TimeSpan.FromSeconds(3);
        var session = await ConnectedPop3SessionAsync(RawPop3Settings(slow.Port, timeout));
        await AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var retrieved = await AskPop3<MessageRetrieved>(session, new Retrieve(1));

        Assert.True(clock.Elapsed > timeout, $"the body took only {clock.Elapsed}, no longer than the timeout");
        Assert.EndsWith("line 13\r\n", System.Text.Encoding.ASCII.GetString(retrieved.Content.Span), StringComparison.Ordinal);
        Assert.True((await AskPop3<Pop3Response>(session, Quit.Instance)).IsOk);
    }

    [Fact]
    public async Task A_hang_up_before_the_quit_reply_with_deletions_pending_says_they_may_be_lost()
    {
        var server = await ServerWithFault("QUIT", FaultAction.DisconnectBeforeReply());
        var session = await LoggedInPop3SessionAsync(server);
        await AskPop3<Pop3Response>(session, new Delete(1));

        var error = await Assert.ThrowsAsync<MailSessionClosedException>(() => AskPop3<Pop3Response>(session, Quit.Instance));

        Assert.Contains("may not have been committed", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.GetMailbox(Pop3User).Messages.Count);
    }

    [Fact]
    public async Task A_hang_up_before_the_quit_reply_without_deletions_is_a_normal_close()
    {
        var server = await ServerWithFault("QUIT", FaultAction.DisconnectBeforeReply());
        var session = await LoggedInPop3SessionAsync(server);

        var response = await AskPop3<Pop3Response>(session, Quit.Instance);

        Assert.True(response.IsOk);
        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Fact]
    public async Task A_hang_up_in_the_middle_of_a_message_ends_the_session()
    {
        var server = await ServerWithFault("RETR", FaultAction.UnterminatedMultiline(lineCount: 10));
        var session = await LoggedInPop3SessionAsync(server);
        var pending = AskPop3<MessageRetrieved>(session, new Retrieve(1));
        await Task.Delay(200);
        await server.DisposeAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => pending);

        Assert.True(error is MailSessionClosedException or MailTimeoutException, error.ToString());
        Assert.Equal("Closed", await Pop3StateOf(session));
    }
}
