using MailActors.Delivery;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using Akka.Actor;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;

namespace MailActors.Tests.Delivery;

/// <summary>The session pool of a route: bounds, reuse, idle close, reconnect backoff, circuit breaker, throttling.</summary>
public sealed class RouteSupervisorSpecs(ITestOutputHelper output) : DeliveryTestKit(output)
{
    [Fact]
    public async Task Delivers_and_reports_each_recipient()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        var mailer = StartMailer(RouteTo(server));

        var report = await mailer.SendAsync(Mail("a@example.test", "ghost@example.test", "b@example.test"));

        Assert.Equal([DeliveryStatus.Delivered, DeliveryStatus.Failed, DeliveryStatus.Delivered], report.Recipients.Select(r => r.Status));
        Assert.Equal(550, report.Recipients[1].Reply!.Code);
        Assert.Equal(1, report.Attempts);
        Assert.Equal(["a@example.test", "b@example.test"], server.Messages.Single().Envelope.Recipients.Select(r => r.Address));
    }

    [Fact]
    public async Task Never_opens_more_sessions_than_the_route_allows()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromMilliseconds(50))));
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 3 });

        var reports = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => mailer.SendAsync(Mail($"r{i}@example.test"))));

        Assert.All(reports, r => Assert.True(r.AllDelivered));
        Assert.InRange(server.SessionsOpened, 1, 3);
        Assert.Equal(30, server.MessagesReceived);
    }

    [Fact]
    public async Task Reuses_a_session_up_to_max_messages_per_session()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, MaxMessagesPerSession = 5 });

        for (var i = 0; i < 20; i++)
        {
            Assert.True((await mailer.SendAsync(Mail($"r{i}@example.test"))).AllDelivered);
        }

        Assert.Equal(4, server.SessionsOpened);
        Assert.Equal(20, server.MessagesReceived);
    }

    [Fact]
    public async Task A_pipelining_session_carries_the_next_envelope_with_each_content_and_keeps_its_share()
    {
        var server = await StartServerAsync();
        var transcript = new MailActors.Diagnostics.CollectingTranscript();
        var route = RouteTo(server);
        var mailer = StartMailer(route with { MaxSessions = 1, MaxMessagesPerSession = 7, Session = route.Session with { Transcript = transcript } });

        var reports = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => mailer.SendAsync(Mail($"r{i}@example.test"))));

        Assert.All(reports, r => Assert.True(r.AllDelivered));
        Assert.Equal(20, server.MessagesReceived);
        Assert.Equal(3, server.SessionsOpened); // 7 + 7 + 6: the window never takes a session past its share
        var lines = transcript.Lines;
        Assert.Contains(Enumerable.Range(1, lines.Count - 1), i => lines[i - 1].Line == "." && lines[i].Line.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_421_after_a_content_with_the_window_full_loses_no_message()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.Reply("421 4.3.2 shutting down"), Times = 1 });
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        var reports = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => mailer.SendAsync(Mail($"r{i}@example.test"))));

        Assert.All(reports, r => Assert.True(r.AllDelivered));
        Assert.Equal(6, server.MessagesReceived);
        Assert.Contains(reports, r => r.Attempts == 2);
    }

    [Fact]
    public async Task A_dropped_connection_with_the_window_full_defers_and_retries_every_message()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.DisconnectBeforeReply(), Times = 1 });
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        var reports = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => mailer.SendAsync(Mail($"r{i}@example.test"))));

        Assert.All(reports, r => Assert.True(r.AllDelivered));
        Assert.Equal(6, server.Messages.Select(m => m.Envelope.Recipients.Single().Address).Distinct().Count());
        Assert.Contains(reports, r => r.Attempts == 2);
    }

    [Fact]
    public async Task Messages_behind_a_dropped_transaction_keep_their_attempts()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.DisconnectBeforeReply(), Times = 1 });
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, MaxAttempts = 1 });

        var reports = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => mailer.SendAsync(Mail($"r{i}@example.test"))));

        // Only the message whose content was on the wire used its single attempt; the ones waiting behind it in the
        // session's window were never sent and go out on the next session.
        var lost = Assert.Single(reports, r => !r.AllDelivered);
        Assert.Equal(DeliveryStatus.Deferred, lost.Recipients.Single().Status);
        Assert.All(reports, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(2, server.SessionsOpened);
    }

    [Fact]
    public async Task Small_messages_do_not_queue_behind_a_large_one_on_a_busy_session()
    {
        var server = await StartServerAsync();
        // The large message holds its session for seconds; the small ones have a second session to go to.
        server.Faults.Add(new FaultRule { Command = "RCPT", Match = arg => arg.Contains("large@", StringComparison.Ordinal), Action = FaultAction.Delay(TimeSpan.FromSeconds(3)) });
        var route = RouteTo(server);
        var mailer = StartMailer(route with { MaxSessions = 2, Session = route.Session with { CommandTimeout = TimeSpan.FromSeconds(10) } });
        var body = "Subject: large\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 78) + "\r\n", 1500));
        var large = mailer.SendAsync(new OutgoingMail("sender@example.test", ["large@example.test"], MailActors.Smtp.MessageContent.FromBytes(System.Text.Encoding.ASCII.GetBytes(body))));

        var small = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => mailer.SendAsync(Mail($"small{i}@example.test"))));

        Assert.All(small, r => Assert.True(r.AllDelivered));
        Assert.False(large.IsCompleted, "the small messages were delivered on the other session while the large one was still going");
        Assert.True((await large).AllDelivered);
    }

    [Fact]
    public async Task Closes_idle_sessions_with_quit()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(RouteTo(server) with { IdleTimeout = TimeSpan.FromMilliseconds(200) });

        await mailer.SendAsync(Mail("a@example.test"));

        await AwaitAssertAsync(() =>
        {
            Assert.Equal(0, server.SessionsActive);
            Assert.Contains("QUIT", server.CommandLog);
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(0, (await StatusOf(mailer)).Sessions);
    }

    [Fact]
    public async Task Checks_a_long_idle_session_with_noop_before_reusing_it()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, NoopAfterIdle = TimeSpan.FromMilliseconds(100), IdleTimeout = TimeSpan.FromSeconds(30) });

        await mailer.SendAsync(Mail("a@example.test"));
        await Task.Delay(300);
        await mailer.SendAsync(Mail("b@example.test"));

        var log = server.Sessions.Single().CommandLog;
        var noop = log.ToList().IndexOf("NOOP");
        Assert.True(noop > 0, "a NOOP was sent");
        Assert.StartsWith("MAIL", log[noop + 1], StringComparison.Ordinal);
        Assert.Equal(1, server.SessionsOpened);
    }

    [Fact]
    public async Task A_session_whose_noop_fails_is_replaced_without_losing_the_message()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, NoopAfterIdle = TimeSpan.FromMilliseconds(100) });
        await mailer.SendAsync(Mail("a@example.test"));
        await Task.Delay(300);
        server.Faults.Add(new FaultRule { Command = "NOOP", Action = FaultAction.DisconnectBeforeReply(), Times = 1 });

        var report = await mailer.SendAsync(Mail("b@example.test"));

        Assert.True(report.AllDelivered);
        Assert.Equal(1, report.Attempts);
        Assert.Equal(2, server.SessionsOpened);
    }

    [Fact]
    public async Task Reconnects_after_failed_connections_and_delivers()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.Connect, Action = FaultAction.DisconnectBeforeReply(), Times = 2 });
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1 });

        var report = await mailer.SendAsync(Mail("a@example.test"));

        Assert.True(report.AllDelivered);
        Assert.Equal(3, server.SessionsOpened);
        Assert.Equal(CircuitState.Closed, (await StatusOf(mailer)).Circuit);
    }

    [Fact]
    public async Task Repeated_connection_failures_open_the_circuit_and_messages_are_deferred_at_once()
    {
        var mailer = StartMailer(RouteToPort(UnusedPort(), "dead") with { CircuitFailureThreshold = 2, CircuitOpenDuration = TimeSpan.FromMinutes(5) });

        var report = await mailer.SendAsync(Mail("a@example.test"));
        var later = await mailer.SendAsync(Mail("b@example.test"));

        Assert.Equal(DeliveryStatus.Deferred, report.Recipients.Single().Status);
        Assert.Contains("circuit open", report.Recipients.Single().Error, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Deferred, later.Recipients.Single().Status);
        Assert.Equal(CircuitState.Open, (await StatusOf(mailer, "dead")).Circuit);
    }

    [Fact]
    public async Task The_circuit_half_opens_and_closes_when_the_trial_connection_succeeds()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.Connect, Action = FaultAction.Reply("554 5.3.2 not now"), Times = 2 });
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, CircuitFailureThreshold = 2, CircuitOpenDuration = TimeSpan.FromMilliseconds(300) });

        var first = await mailer.SendAsync(Mail("a@example.test"));
        await AwaitAssertAsync(async () => Assert.NotEqual(CircuitState.Open, (await StatusOf(mailer)).Circuit), TimeSpan.FromSeconds(5));
        var second = await mailer.SendAsync(Mail("b@example.test"));

        Assert.Equal(DeliveryStatus.Deferred, first.Recipients.Single().Status);
        Assert.True(second.AllDelivered);
        Assert.Equal(CircuitState.Closed, (await StatusOf(mailer)).Circuit);
    }

    [Fact]
    public async Task A_421_halves_concurrency_and_the_route_recovers_gradually()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = "MAIL", Action = FaultAction.Reply("421 4.7.0 slow down"), Times = 1 });
        var mailer = StartMailer(RouteTo(server) with
        {
            MaxSessions = 4,
            ThrottleDuration = TimeSpan.FromMilliseconds(300),
            ThrottleRecoveryInterval = TimeSpan.FromMilliseconds(100),
        });

        var report = await mailer.SendAsync(Mail("a@example.test"));
        var throttled = await StatusOf(mailer);

        Assert.True(report.AllDelivered);
        Assert.Equal(2, report.Attempts);
        Assert.Equal(2, throttled.EffectiveMaxSessions);
        await AwaitAssertAsync(async () => Assert.Equal(4, (await StatusOf(mailer)).EffectiveMaxSessions), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_rate_limit_reply_throttles_the_route()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = "RCPT", Action = FaultAction.Reply("450 4.7.1 rate limit exceeded, try again later"), Times = 1 });
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 4, MaxMessageRate = 1000, ThrottleDuration = TimeSpan.FromMinutes(1) });

        var report = await mailer.SendAsync(Mail("a@example.test"));
        var status = await StatusOf(mailer);

        Assert.True(report.AllDelivered);
        Assert.Equal(2, status.EffectiveMaxSessions);
        Assert.Equal(0.5, status.RateFactor);
    }

    public static TheoryData<string, string, DeliveryStatus, int> FaultModes => new()
    {
        // command, fault, final status, server copies (duplicates show at-least-once)
        { "RCPT", "reply:550 5.1.1 no such user", DeliveryStatus.Failed, 0 },
        { "RCPT", "reply:451 4.3.0 try again", DeliveryStatus.Delivered, 1 },
        { "MAIL", "reply:553 5.7.1 sender refused", DeliveryStatus.Failed, 0 },
        { "MAIL", "reply:451 4.3.0 later", DeliveryStatus.Delivered, 1 },
        { ".", "reply:554 5.6.0 content rejected", DeliveryStatus.Failed, 0 },
        { ".", "reply:452 4.3.1 insufficient storage", DeliveryStatus.Delivered, 1 },
        { "DATA", "reply:451 4.3.0 later", DeliveryStatus.Delivered, 1 },
        { "MAIL", "disconnect-before", DeliveryStatus.Delivered, 1 },
        { ".", "disconnect-before", DeliveryStatus.Delivered, 1 },
        { ".", "disconnect-after-executing", DeliveryStatus.Delivered, 2 },
        { ".", "disconnect-after", DeliveryStatus.Delivered, 1 },
        { "RCPT", "delay", DeliveryStatus.Delivered, 1 },
        { ".", "tarpit", DeliveryStatus.Delivered, 1 },
        { "MAIL", "garbage", DeliveryStatus.Delivered, 1 },
        { "RCPT", "421", DeliveryStatus.Delivered, 1 },
    };

    [Theory]
    [MemberData(nameof(FaultModes))]
    public async Task Every_fault_mode_of_the_test_server_ends_in_the_right_outcome(string command, string fault, DeliveryStatus expected, int copies)
    {
        var server = await StartServerAsync();
        var action = fault switch
        {
            "disconnect-before" => FaultAction.DisconnectBeforeReply(),
            "disconnect-after" => FaultAction.DisconnectAfterReply(),
            "disconnect-after-executing" => FaultAction.Disconnect(DisconnectPoint.AfterExecutingWithoutReply),
            "delay" => FaultAction.Delay(TimeSpan.FromMilliseconds(200)),
            "tarpit" => FaultAction.Tarpit(),
            "garbage" => FaultAction.Garbage("garbage\r\n"),
            "421" => FaultAction.Reply("421 4.4.2 closing"),
            _ => FaultAction.Reply(fault["reply:".Length..]),
        };
        server.Faults.Add(new FaultRule { Command = command, Action = action, Times = 1 });
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = 1, Session = RouteTo(server).Session with { CommandTimeout = TimeSpan.FromMilliseconds(500) } });

        var report = await mailer.SendAsync(Mail("a@example.test"));

        var outcome = report.Recipients.Single();
        Assert.Equal(expected, outcome.Status);
        Assert.Equal(copies, server.MessagesReceived);
        if (expected == DeliveryStatus.Failed)
        {
            Assert.Equal(5, outcome.Reply!.Code / 100);
        }
    }

    [Fact]
    public async Task Transient_failures_that_persist_end_deferred_with_the_last_reply()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("RCPT", FaultAction.Reply("451 4.3.0 still not")));
        var mailer = StartMailer(RouteTo(server) with { MaxAttempts = 3 });

        var report = await mailer.SendAsync(Mail("a@example.test"));

        var outcome = report.Recipients.Single();
        Assert.Equal(DeliveryStatus.Deferred, outcome.Status);
        Assert.Equal(451, outcome.Reply!.Code);
        Assert.Equal(3, report.Attempts);
    }

    [Fact]
    public async Task A_message_over_the_servers_size_fails_without_retry()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { MaxMessageSize = 10 });
        var mailer = StartMailer(RouteTo(server));

        var report = await mailer.SendAsync(Mail("a@example.test"));

        var outcome = report.Recipients.Single();
        Assert.Equal(DeliveryStatus.Failed, outcome.Status);
        Assert.Contains("SIZE", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(1, report.Attempts);
    }

    [Fact]
    public async Task Bad_addresses_are_refused_before_anything_is_queued()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(RouteTo(server));

        await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail("a@example.test\r\nDATA")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => mailer.SendAsync(Mail("not an address")));
        var nullRecipient = await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail("a@example.test", "<>")));
        await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail("")));

        var notify = await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail("a@example.test") with
        {
            PerRecipientParameters = new Dictionary<string, RecipientParameters> { ["a@example.test"] = new() { Notify = DsnNotify.Never | DsnNotify.Delay } },
        }));
        await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail("a@example.test") with { Parameters = new MailParameters { Extra = ["X=1\r\nRSET"] } }));

        Assert.Contains("null path", nullRecipient.Message, StringComparison.Ordinal);
        Assert.Contains("NEVER", notify.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.SessionsOpened);
    }

    [Fact]
    public async Task A_route_whose_hello_domain_EHLO_cannot_carry_is_refused_when_the_mailer_starts()
    {
        var server = await StartServerAsync();
        var route = RouteTo(server, "spaced");

        // Before, the route started and every session failed its greeting as a connect failure, opening the circuit.
        var error = Assert.Throws<MailArgumentException>(() => StartMailer(route with { Session = route.Session with { HelloDomain = "client example.test" } }));

        Assert.Equal("routes.spaced.smtp.hello", error.ParamName);
        Assert.Equal(0, server.SessionsOpened);
    }

    [Fact]
    public async Task A_route_whose_sessions_would_not_greet_is_refused_when_the_mailer_starts()
    {
        var server = await StartServerAsync();
        var route = RouteTo(server);

        var error = Assert.Throws<ArgumentException>(() => StartMailer(RouteTo(server, "greets"), route with { Session = route.Session with { SendHello = false } }));

        Assert.Contains("send-hello", error.Message, StringComparison.Ordinal);
        // Refused before any route started: no supervisor of the good route is left running.
        Assert.False(await AnyRouteRunning());
        StartMailer(RouteTo(server, "greets"));
        Assert.True(await AnyRouteRunning()); // the look-up does find a route that runs

        Task<bool> AnyRouteRunning() => Sys.ActorSelection("/user/route-*").ResolveOne(TimeSpan.FromSeconds(1)).ContinueWith(t => t.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Postmaster_without_a_domain_is_a_recipient_and_the_null_sender_is_a_sender()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(RouteTo(server));

        var report = await mailer.SendAsync(new OutgoingMail("", ["postmaster"], Mail("a@example.test").Content));

        Assert.True(report.AllDelivered);
        Assert.Contains("MAIL FROM:<>", server.CommandLog);
        Assert.Contains("RCPT TO:<postmaster>", server.CommandLog);
    }

    [Fact]
    public async Task A_message_waiting_out_a_retry_delay_fails_when_the_route_stops()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 try later"), Times = 1 });
        var options = RouteTo(server) with { RetryBaseDelay = TimeSpan.FromMinutes(1), RetryMaxDelay = TimeSpan.FromMinutes(1) };
        var mailer = Mailer.Create(Sys, new MailerOptions { Routes = [options], DrainTimeout = TimeSpan.Zero });
        var sending = mailer.SendAsync(Mail("a@example.test"));
        await AwaitConditionAsync(async () => (await StatusOf(mailer)).Retrying == 1, TimeSpan.FromSeconds(10));

        await mailer.DisposeAsync();

        await Assert.ThrowsAsync<MailSessionClosedException>(() => sending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_route_that_restarts_keeps_delivering_and_fails_only_what_its_sessions_held()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromMilliseconds(100))));
        var route = "restarts-" + Guid.NewGuid().ToString("N");
        var mailer = StartMailer(RouteTo(server, route) with { MaxSessions = 2 });
        Assert.True((await mailer.SendAsync(Mail("warm@example.test"))).AllDelivered);
        var during = Enumerable.Range(0, 20).Select(i => mailer.SendAsync(Mail($"d{i}@example.test"))).ToArray();

        // As when the supervisor throws: the guardian restarts it on the same mailbox and queue.
        RestartAsIfItFailed((IInternalActorRef)mailer.Routes[route]);
        var after = Enumerable.Range(0, 30).Select(i => mailer.SendAsync(Mail($"a{i}@example.test"))).ToArray();

        var afterReports = await Task.WhenAll(after).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(afterReports, r => Assert.True(r.AllDelivered));
        foreach (var send in during)
        {
            // Only a message a session held may be given up, since the server may already have it; the rest go on.
            var error = await Record.ExceptionAsync(async () => Assert.True((await send.WaitAsync(TimeSpan.FromSeconds(60))).AllDelivered));
            Assert.True(error is null || error.Message.Contains("restarted while the message was in a session", StringComparison.Ordinal), error?.ToString());
        }
        Assert.Equal(31, server.Messages.Count(m => m.Envelope.Recipients.Any(r => r.Address[0] is 'a' or 'w')));
    }

    [Fact]
    public async Task A_message_waiting_on_a_keepalive_check_is_delivered_after_a_restart()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On(FaultCommands.Noop, FaultAction.Delay(TimeSpan.FromSeconds(2))));
        var route = "noop-restart-" + Guid.NewGuid().ToString("N");
        var mailer = StartMailer(RouteTo(server, route) with { MaxSessions = 1, NoopAfterIdle = TimeSpan.FromMilliseconds(100) });
        Assert.True((await mailer.SendAsync(Mail("warm@example.test"))).AllDelivered);
        await Task.Delay(300); // the session idles past NoopAfterIdle, so its next message waits on a NOOP first
        var send = mailer.SendAsync(Mail("after-idle@example.test"));
        await AwaitConditionAsync(() => Task.FromResult(server.CommandLog.Contains("NOOP")), TimeSpan.FromSeconds(10));

        // Only the NOOP is out: the message never reached the server, so the new incarnation sends it.
        RestartAsIfItFailed((IInternalActorRef)mailer.Routes[route]);

        Assert.True((await send.WaitAsync(TimeSpan.FromSeconds(30))).AllDelivered);
        Assert.Single(server.Messages, m => m.Envelope.Recipients.Any(r => r.Address == "after-idle@example.test"));
    }

    /// <summary>
    /// What Akka does when the supervisor throws: the failed actor is suspended (messages wait in its mailbox) and its
    /// parent, the guardian, restarts it, which resumes it with the new incarnation.
    /// </summary>
    private static void RestartAsIfItFailed(IInternalActorRef supervisor)
    {
        supervisor.Suspend();
        supervisor.Restart(new InvalidOperationException("a fault in the supervisor"));
    }

    [Fact]
    public async Task A_route_stopped_right_after_a_restart_answers_every_message_it_held()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromMilliseconds(200))));
        var route = "restart-stop-" + Guid.NewGuid().ToString("N");
        var mailer = StartMailer(RouteTo(server, route) with { MaxSessions = 1 });
        var sends = Enumerable.Range(0, 10).Select(i => mailer.SendAsync(Mail($"r{i}@example.test"))).ToArray();
        await AwaitConditionAsync(() => Task.FromResult(server.Sessions.Count > 0), TimeSpan.FromSeconds(10));

        // The stop is queued before the restart runs: what the old incarnation held must not wait behind it as messages.
        var supervisor = (IInternalActorRef)mailer.Routes[route];
        RestartAsIfItFailed(supervisor);
        var stopped = supervisor.GracefulStop(TimeSpan.FromSeconds(10));

        foreach (var send in sends)
        {
            var error = await Record.ExceptionAsync(() => send.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.False(error is TimeoutException, "a message the route held was never answered");
        }
        Assert.True(await stopped);
    }

    [Fact]
    public async Task Messages_sent_to_a_route_that_has_stopped_fail_instead_of_waiting_for_ever()
    {
        var server = await StartServerAsync();
        var route = "stopped-" + Guid.NewGuid().ToString("N");
        using var telemetry = new RouteTelemetry(route);
        var mailer = StartMailer(RouteTo(server, route));
        // As when the actor system ends under a mailer nobody disposed: the supervisor had a read of the queue under way.
        await mailer.Routes[route].GracefulStop(TimeSpan.FromSeconds(5));

        var sends = new[] { mailer.SendAsync(Mail("a@example.test")), mailer.SendAsync(Mail("b@example.test")) };

        foreach (var send in sends)
        {
            await Assert.ThrowsAsync<MailSessionClosedException>(() => send.WaitAsync(TimeSpan.FromSeconds(5)));
        }
        Assert.Equal(0, telemetry.Sum("mailactors.queue.depth"));
        Assert.Equal(2, telemetry.Sum("mailactors.messages", ("outcome", "aborted")));
        Assert.Empty(server.Messages);
    }
}
