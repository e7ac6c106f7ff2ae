using MailActors.Outbox.Dsn;
using MailActors.Outbox.Tests.Support;
using MailActors.Protocol.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>Retry, expiry, bounce and suppression behaviour against the fault-injecting test server.</summary>
public sealed class RetryAndBounceTests
{
    private static FaultRule RcptReply(string reply, int? times = null, string? match = null) => new()
    {
        Command = FaultCommands.Rcpt,
        Action = FaultAction.Reply(reply),
        Times = times,
        Match = match is null ? null : argument => argument.Contains(match, StringComparison.OrdinalIgnoreCase),
    };

    private static async Task<MessageStatus> FinishedAsync(Outbox outbox, string id)
    {
        MessageStatus? status = null;
        await Eventually.TrueAsync(async () => (status = await outbox.GetStatusAsync(id)) is { IsFinished: true }, $"{id} finished");
        return status!;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_4xx_is_deferred_and_retried_with_backoff_until_it_is_delivered(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("451 4.3.0 try again later", times: 2)] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        using var events = harness.Outbox.Subscribe();

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("retry-1"));

        var status = await FinishedAsync(harness.Outbox, "retry-1");
        Assert.Equal(RecipientState.Delivered, status.Recipients[0].State);
        Assert.Equal(3, status.Recipients[0].Attempts);
        var deferrals = new List<DeferredEvent>();
        while (events.Reader.TryRead(out var e))
        {
            if (e is DeferredEvent d)
            {
                deferrals.Add(d);
            }
        }
        Assert.Equal(2, deferrals.Count);
        Assert.All(deferrals, d => Assert.Equal(451, d.Reply!.Code));
        Assert.All(deferrals, d => Assert.True(d.NextAttemptAt > d.At, "the next attempt lies after the deferral"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_recipient_deferred_past_its_maximum_age_expires_with_a_failure_notification(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("450 4.2.1 mailbox busy")] });
        // A shiftable clock, not a short real max-age: on a slow store the first attempt alone could outlast it.
        var clock = new ShiftableClock();
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { Clock = clock });
        using var events = harness.Outbox.Subscribe();

        await harness.Outbox.EnqueueAsync(new OutboxMessage(OutboxHarness.Mail("old-1")) { Retry = new RetryOverride(MaxAge: TimeSpan.FromHours(1)) });
        var retried = await SettledAfterAsync(harness.Outbox, "old-1", attempts: 2);
        Assert.Equal(RecipientState.Deferred, retried.Recipients[0].State); // retried, not expired, within its age
        clock.Shift(TimeSpan.FromHours(2));

        var status = await FinishedAsync(harness.Outbox, "old-1");
        var recipient = status.Recipients[0];
        Assert.Equal(RecipientState.Expired, recipient.State);
        Assert.Equal(450, recipient.LastReply!.Code);
        Assert.True(recipient.Attempts >= 2, $"retried before expiring ({recipient.Attempts} attempts)");
        var failed = await NextAsync<DeliveryFailed>(events);
        Assert.Equal(RecipientState.Expired, failed.State);
        Assert.Equal("old-1", failed.MessageId);
        Assert.Equal(1, (await harness.Outbox.GetCountsAsync()).Expired);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Per_route_max_age_from_hocon_applies_to_that_routes_recipients(string kind)
    {
        var options = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString("""
            mailactors.outbox.retry { base-delay = 50ms, max-delay = 100ms, max-age = 1h }
            mailactors.routes.test { hosts = ["127.0.0.1:1"], outbox { retry { max-age = 500ms } } }
            """));
        Assert.Equal(TimeSpan.FromHours(1), options.Retry.MaxAge);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.ForRoute("test").Retry.MaxAge);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.ForRoute("test").Retry.BaseDelay);

        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("451 4.4.1 no answer from host")] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { Routes = options.Routes });

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("route-age"));

        Assert.Equal(RecipientState.Expired, (await FinishedAsync(harness.Outbox, "route-age")).Recipients[0].State);
    }

    [Fact]
    public void A_route_block_keeps_the_keys_it_sets_and_follows_later_changes_of_the_outbox_defaults_for_the_rest()
    {
        var options = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString("""
            mailactors.outbox { retry { base-delay = 1m, max-age = 1h }
                                max-message-size = 10m }
            mailactors.routes.aged { hosts = ["127.0.0.1:1"], outbox { retry { max-age = 2h } } }
            mailactors.routes.small { hosts = ["127.0.0.1:1"], outbox { max-message-size = 1m, retry { base-delay = 5s, jitter = 0 } } }
            """));

        // What the CLI's --max-age and --retry-base do, and what any caller may do in C#.
        var changed = options with
        {
            Retry = options.Retry with { BaseDelay = TimeSpan.FromSeconds(10), Multiplier = 3, MaxAge = TimeSpan.FromHours(3) },
            MaxMessageSize = 20L * 1024 * 1024,
        };

        var aged = changed.ForRoute("AGED"); // route names are case-insensitive, as in the Mailer
        Assert.Equal(TimeSpan.FromHours(2), aged.Retry.MaxAge);
        Assert.Equal((TimeSpan.FromSeconds(10), 3.0, 20L * 1024 * 1024), (aged.Retry.BaseDelay, aged.Retry.Multiplier, aged.MaxMessageSize));
        var small = changed.ForRoute("small");
        Assert.Equal((TimeSpan.FromSeconds(5), 0.0, 1L * 1024 * 1024), (small.Retry.BaseDelay, small.Retry.Jitter, small.MaxMessageSize));
        Assert.Equal((TimeSpan.FromHours(3), 3.0), (small.Retry.MaxAge, small.Retry.Multiplier));
        Assert.Equal((changed.Retry, changed.MaxMessageSize), (changed.ForRoute("other").Retry, changed.ForRoute("other").MaxMessageSize));
        Assert.Equal(changed.Retry, changed.ForRoute(null).Retry);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_route_with_its_own_size_limit_retries_and_expires_by_the_outbox_policy_set_after_reading_the_config(string kind)
    {
        // The route's block says nothing about retries: the 1m backoff and 5d max-age read here must not stick to it.
        var read = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString("""
            mailactors.routes.test { hosts = ["127.0.0.1:1"], outbox { max-message-size = 1m } }
            """));
        var clock = new ShiftableClock();
        var options = OutboxHarness.FastOptions with { Clock = clock, Routes = read.Routes, Retry = OutboxHarness.FastOptions.Retry with { MaxAge = TimeSpan.FromHours(1) } };
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("451 4.3.0 later")] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("route-follows"));

        // Three attempts within the wait: the outbox's backoff of at most 200 ms, not the minute read with the route.
        var retried = await SettledAfterAsync(harness.Outbox, "route-follows", attempts: 3);
        Assert.Equal(RecipientState.Deferred, retried.Recipients[0].State);
        clock.Shift(TimeSpan.FromHours(1));
        var recipient = (await FinishedAsync(harness.Outbox, "route-follows")).Recipients[0];
        Assert.Equal(RecipientState.Expired, recipient.State); // the outbox's hour, not the five days read with the route
        var tooLarge = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(OutboxHarness.Mail("route-too-large", size: 2 * 1024 * 1024)));
        Assert.Equal(OutboxRejection.TooLarge, tooLarge.Reason); // while its own size limit stays
    }

    [Fact]
    public void Infinite_durations_read_as_never_and_negative_ones_are_refused()
    {
        var options = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString("""
            mailactors.outbox { retry.max-age = infinite, in-flight-timeout = infinite, sweep-grace = infinite }
            mailactors.routes.slow { hosts = ["127.0.0.1:1"], outbox { retry { base-delay = infinite, max-age = infinite } } }
            """));

        Assert.Equal(TimeSpan.MaxValue, options.Retry.MaxAge);
        Assert.Equal(TimeSpan.MaxValue, options.InFlightTimeout);
        Assert.Equal(TimeSpan.MaxValue, options.SweepGrace);
        Assert.Equal(TimeSpan.MaxValue, options.ForRoute("slow").Retry.MaxAge);
        Assert.Equal(TimeSpan.MaxValue, options.ForRoute("slow").Retry.BaseDelay);
        foreach (var negative in new[] { "-5s", "-5", "-1ms" }) // -1ms is what Akka turns "infinite" into: written, it is refused
        {
            var refused = Assert.Throws<Akka.Configuration.ConfigurationException>(() => OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString($$"""
                mailactors.routes.slow { hosts = ["127.0.0.1:1"], outbox { retry { max-age = {{negative}} } } }
                """)));
            Assert.Contains("mailactors.routes.slow.outbox.retry.max-age = " + negative, refused.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_infinite_max_age_from_hocon_or_csharp_keeps_retrying_a_deferred_recipient(string kind)
    {
        var options = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString("""
            mailactors.outbox.retry { base-delay = 50ms, max-delay = 100ms, max-age = infinite }
            """));
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [RcptReply("451 4.3.0 later", times: 1, match: "hocon@"), RcptReply("451 4.3.0 later", times: 1, match: "csharp@")],
        });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { Retry = options.Retry });

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("never-old-hocon", to: "hocon@example.test"));
        // TimeSpan.MaxValue added to the acceptance time overflowed, and the partition crashed at every attempt.
        await harness.Outbox.EnqueueAsync(new OutboxMessage(OutboxHarness.Mail("never-old-csharp", to: "csharp@example.test"))
        {
            Retry = new RetryOverride(MaxAge: TimeSpan.MaxValue),
        });

        foreach (var id in new[] { "never-old-hocon", "never-old-csharp" })
        {
            var recipient = (await FinishedAsync(harness.Outbox, id)).Recipients[0];
            Assert.Equal((RecipientState.Delivered, 2), (recipient.State, recipient.Attempts));
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_recipient_is_retried_until_its_max_age_and_expires_when_that_last_attempt_fails(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("451 4.3.0 later")] });
        var clock = new ShiftableClock();
        // Every retry waits 40 minutes (no jitter); the recipient expires an hour after acceptance. The sweep re-drives
        // an attempt once the shifted clock makes it due.
        var options = OutboxHarness.FastOptions with
        {
            Clock = clock,
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMinutes(40), MaxDelay = TimeSpan.FromMinutes(40), Jitter = 0, MaxAge = TimeSpan.FromHours(1) },
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("last-try"));
        var first = await SettledAfterAsync(harness.Outbox, "last-try", attempts: 1);
        Assert.Equal(RecipientState.Deferred, first.Recipients[0].State);
        clock.Shift(TimeSpan.FromMinutes(40));

        // The second attempt fails 40 minutes in: the next one, 40 minutes later, would be past the hour. It is brought
        // forward to the hour instead of the recipient expiring 20 minutes early.
        var second = await SettledAfterAsync(harness.Outbox, "last-try", attempts: 2);
        Assert.Equal(RecipientState.Deferred, second.Recipients[0].State);
        Assert.Equal(second.AcceptedAt + TimeSpan.FromHours(1), second.Recipients[0].NextAttemptAt);
        clock.Shift(TimeSpan.FromMinutes(30));

        var last = await SettledAfterAsync(harness.Outbox, "last-try", attempts: 3);
        Assert.Equal(RecipientState.Expired, last.Recipients[0].State);
        Assert.Equal(451, last.Recipients[0].LastReply!.Code);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_infinite_max_age_keeps_retrying_through_several_4xx_a_year_after_acceptance(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [RcptReply("451 4.3.0 later", times: 4, match: "ageless@"), RcptReply("451 4.3.0 later", match: "aged@")],
        });
        var clock = new ShiftableClock();
        var options = OutboxHarness.FastOptions with
        {
            Clock = clock,
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(50), Jitter = 0, MaxAge = TimeSpan.MaxValue },
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("ageless", to: "ageless@example.test"));
        // The control: the same deferrals under the default five days' age, so the year below is known to matter.
        await harness.Outbox.EnqueueAsync(new OutboxMessage(OutboxHarness.Mail("aged", to: "aged@example.test")) { Retry = new RetryOverride(MaxAge: TimeSpan.FromDays(5)) });
        await SettledAfterAsync(harness.Outbox, "ageless", attempts: 1);
        await SettledAfterAsync(harness.Outbox, "aged", attempts: 1);

        clock.Shift(TimeSpan.FromDays(365));

        var aged = (await FinishedAsync(harness.Outbox, "aged")).Recipients[0];
        Assert.Equal(RecipientState.Expired, aged.State);
        var ageless = (await FinishedAsync(harness.Outbox, "ageless")).Recipients[0];
        Assert.Equal((RecipientState.Delivered, 5), (ageless.State, ageless.Attempts)); // four 451s, each retried
        Assert.Equal(0, (await harness.Outbox.GetCountsAsync()).Deferred);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_infinite_retry_delay_waits_for_one_last_attempt_at_max_age(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("451 4.3.0 later")] });
        var clock = new ShiftableClock();
        var options = OutboxHarness.FastOptions with
        {
            Clock = clock,
            Retry = new RetryPolicy { BaseDelay = TimeSpan.MaxValue, MaxDelay = TimeSpan.MaxValue, MaxAge = TimeSpan.FromHours(1) },
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("never-again"));

        // "Never" before max-age is the deadline itself, not a date past the calendar that would leave it stuck.
        var first = await SettledAfterAsync(harness.Outbox, "never-again", attempts: 1);
        Assert.Equal((RecipientState.Deferred, first.AcceptedAt + TimeSpan.FromHours(1)), (first.Recipients[0].State, first.Recipients[0].NextAttemptAt));
        clock.Shift(TimeSpan.FromHours(1));
        var last = await FinishedAsync(harness.Outbox, "never-again");
        Assert.Equal((RecipientState.Expired, 2), (last.Recipients[0].State, last.Recipients[0].Attempts));
    }

    /// <summary>The status once the outcome of attempt number <paramref name="attempts"/> (or a later one) is journaled.</summary>
    private static async Task<MessageStatus> SettledAfterAsync(Outbox outbox, string id, int attempts)
    {
        MessageStatus? status = null;
        await Eventually.TrueAsync(async () => (status = await outbox.GetStatusAsync(id)) is { } s
            && (s.IsFinished || (s.Recipients[0].Attempts >= attempts && s.Recipients[0].State == RecipientState.Deferred)), $"{id}: attempt {attempts} settled");
        return status!;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_enhanced_code_decides_a_550_4_x_x_is_deferred_not_bounced(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("550 4.2.2 mailbox full", times: 1)] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("full-1"));

        var status = await FinishedAsync(harness.Outbox, "full-1");
        Assert.Equal(RecipientState.Delivered, status.Recipients[0].State);
        Assert.Equal(2, status.Recipients[0].Attempts);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_hard_bounce_is_reported_and_suppresses_the_address_for_later_messages(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        using var events = harness.Outbox.Subscribe();

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("ghost-1", to: "ghost@example.test"));

        var status = await FinishedAsync(harness.Outbox, "ghost-1");
        Assert.Equal(RecipientState.Bounced, status.Recipients[0].State);
        Assert.Equal(new EnhancedStatusCode(5, 1, 1), status.Recipients[0].LastReply!.EnhancedCode);
        var failed = await NextAsync<DeliveryFailed>(events);
        Assert.True(failed.Hard);
        Assert.Equal(BounceSource.Smtp, failed.Source);
        await Eventually.TrueAsync(() => harness.Outbox.IsSuppressed("ghost@example.test", out _), "the address is suppressed");

        var received = server.MessagesReceived;
        var later = await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("ghost-2", to: "Ghost@Example.Test"));

        Assert.Equal(["Ghost@Example.Test"], later.SuppressedRecipients);
        var skipped = await FinishedAsync(harness.Outbox, "ghost-2");
        Assert.Equal(RecipientState.Suppressed, skipped.Recipients[0].State);
        Assert.Contains("suppression", skipped.Recipients[0].LastError, StringComparison.Ordinal);
        Assert.Equal(received, server.MessagesReceived);
        Assert.DoesNotContain(server.CommandLog, line => line.Contains("Ghost@Example.Test", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_suppression_list_survives_a_restart_and_can_be_edited(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        await harness.Outbox.SuppressAsync("<blocked@example.test>", "complaint");
        await harness.Outbox.SuppressAsync("gone@example.test", "manual");
        Assert.True(await harness.Outbox.UnsuppressAsync("gone@example.test"));

        await harness.RestartAsync();

        Assert.True(harness.Outbox.IsSuppressed("BLOCKED@example.test", out var reason));
        Assert.Equal("complaint", reason);
        Assert.False(harness.Outbox.IsSuppressed("gone@example.test", out _));
        var list = await harness.Outbox.GetSuppressedAsync();
        Assert.Equal(["blocked@example.test"], list.Select(e => e.Address));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_policy_5xx_bounces_without_suppressing_the_address(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [RcptReply("554 5.7.1 message refused by policy")] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("policy-1"));

        var status = await FinishedAsync(harness.Outbox, "policy-1");
        Assert.Equal(RecipientState.Bounced, status.Recipients[0].State);
        Assert.Equal(1, status.Recipients[0].Attempts);
        Assert.False(harness.Outbox.IsSuppressed("rcpt@example.test", out _));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Recipients_of_one_message_get_their_own_outcomes(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            UnknownRecipients = ["nobody@example.test"],
            Faults = [RcptReply("452 4.2.2 over quota", times: 1, match: "busy@")],
        });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        var template = OutboxHarness.Mail("multi-1");
        var mail = new Delivery.OutgoingMail(template.Sender, ["ok@example.test", "nobody@example.test", "busy@example.test"], template.Content) { MessageId = "multi-1" };

        await harness.Outbox.EnqueueAsync(mail);

        var status = await FinishedAsync(harness.Outbox, "multi-1");
        Assert.Equal(RecipientState.Delivered, status.Recipient("ok@example.test")!.State);
        Assert.Equal(RecipientState.Bounced, status.Recipient("nobody@example.test")!.State);
        Assert.Equal(RecipientState.Delivered, status.Recipient("busy@example.test")!.State);
        Assert.Equal(2, status.Recipient("busy@example.test")!.Attempts);
        Assert.Equal(1, status.Recipient("ok@example.test")!.Attempts);
        // The retry went to the deferred recipient only.
        Assert.Equal(2, server.Messages.Count);
        Assert.Equal(["busy@example.test"], server.Messages[1].Envelope.Recipients.Select(r => r.Address));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_bounce_sends_an_rfc3464_dsn_to_the_envelope_sender(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { GenerateDsn = true, DsnReportingMta = "outbox.test" });
        var mail = OutboxHarness.Mail("dsn-1", to: "ghost@example.test", from: "author@example.test") with
        {
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure },
        };

        await harness.Outbox.EnqueueAsync(mail);

        await Eventually.TrueAsync(() => server.Messages.Count == 1, "the DSN reached the server");
        var dsn = server.Messages[0];
        Assert.Equal("", dsn.Envelope.MailFrom.Trim('<', '>'));
        Assert.Equal(["author@example.test"], dsn.Envelope.Recipients.Select(r => r.Address));
        Assert.True(DsnParser.TryParse(dsn.Data, out var report));
        Assert.Equal("dsn-1", report.EnvelopeId);
        Assert.Equal("outbox.test", report.ReportingMta);
        var line = Assert.Single(report.Recipients);
        Assert.Equal(DsnAction.Failed, line.Action);
        Assert.Equal("5.1.1", line.Status);
        Assert.Equal("ghost@example.test", line.FinalRecipient);
        Assert.StartsWith("smtp; 550", line.DiagnosticCode, StringComparison.Ordinal);
        Assert.Contains("Subject: dsn-1", dsn.DataText, StringComparison.Ordinal); // the original headers are quoted
        Assert.Contains("report-type=delivery-status", dsn.DataText, StringComparison.OrdinalIgnoreCase);
        // The original transaction carried ENVID and a per-recipient ORCPT so a returning DSN can be matched.
        Assert.Contains(server.CommandLog, l => l.Contains("ENVID=dsn-1", StringComparison.Ordinal));
        Assert.Contains(server.CommandLog, l => l.Contains("ORCPT=rfc822;ghost@example.test", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(RecipientState.Delivered, (await FinishedAsync(harness.Outbox, DsnBuilderIdFor("dsn-1"))).Recipients[0].State);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dsn_reports_an_orcpt_given_pre_encoded(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { GenerateDsn = true });
        var mail = OutboxHarness.Mail("raw-orcpt", to: "ghost@example.test", from: "author@example.test") with
        {
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure, OriginalRecipientRaw = "rfc822;alias+2Bghost@example.test" },
        };

        await harness.Outbox.EnqueueAsync(mail);

        await Eventually.TrueAsync(() => server.Messages.Count == 1, "the DSN reached the server");
        var dsn = server.Messages[0];
        Assert.Contains("Original-Recipient: rfc822;alias+2Bghost@example.test\r\n", dsn.DataText, StringComparison.Ordinal);
        Assert.True(DsnParser.TryParse(dsn.Data, out var report));
        var line = Assert.Single(report.Recipients);
        Assert.Equal(("alias+ghost@example.test", "ghost@example.test"), (line.OriginalRecipient, line.FinalRecipient));
    }

    private static string DsnBuilderIdFor(string id) => "dsn." + id;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task No_dsn_answers_a_message_from_the_null_sender_or_with_notify_never(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { GenerateDsn = true });

        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("null-sender", to: "ghost@example.test", from: ""));
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("never", to: "ghost@example.test") with { RecipientParameters = new RecipientParameters { Notify = DsnNotify.Never } });
        await FinishedAsync(harness.Outbox, "null-sender");
        await FinishedAsync(harness.Outbox, "never");
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("marker"));
        await FinishedAsync(harness.Outbox, "marker");

        // Both bounced, yet the only message the server ever received is the marker: no DSN was generated.
        var only = Assert.Single(server.Messages);
        Assert.Contains("Subject: marker", only.DataText, StringComparison.Ordinal);
        Assert.Equal(2, (await harness.Outbox.GetCountsAsync()).Bounced);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dsn_that_arrives_later_turns_a_delivered_recipient_into_a_hard_bounce(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("later-1", to: "relay-bounces@example.test") with
        {
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure },
        });
        Assert.Equal(RecipientState.Delivered, (await FinishedAsync(harness.Outbox, "later-1")).Recipients[0].State);

        var result = await harness.Outbox.ApplyDsnAsync(new DeliveryStatusReport("later-1", "mx.example.test",
            [new DsnRecipientReport("relay-bounces@example.test", "relay-bounces@example.test", DsnAction.Failed, "5.1.1", "smtp; 550 5.1.1 <relay-bounces@example.test>: user unknown", null)]));

        Assert.Equal("later-1", result.MessageId);
        Assert.Equal(["relay-bounces@example.test"], result.Bounced);
        var status = await harness.Outbox.GetStatusAsync("later-1");
        Assert.Equal(RecipientState.Bounced, status!.Recipients[0].State);
        Assert.Equal(550, status.Recipients[0].LastReply!.Code);
        var counts = await harness.Outbox.GetCountsAsync();
        Assert.Equal((0, 1), (counts.Delivered, counts.Bounced));
        await Eventually.TrueAsync(() => harness.Outbox.IsSuppressed("relay-bounces@example.test", out _), "hard DSN bounce suppressed");

        await harness.RestartAsync();
        Assert.Equal(RecipientState.Bounced, (await harness.Outbox.GetStatusAsync("later-1"))!.Recipients[0].State);
        Assert.Equal(1, (await harness.Outbox.GetCountsAsync()).Bounced);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dsn_matches_recipients_written_with_angle_brackets_or_a_display_name(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        await harness.Outbox.EnqueueAsync(MailFrom("written-1", "sender@example.test", "<bob@example.test>", "Carol <carol@example.test>"));
        await FinishedAsync(harness.Outbox, "written-1");

        // DSNs name bare addresses: Bob's in Final-Recipient, Carol's in the Original-Recipient of the ORCPT sent for her.
        var result = await harness.Outbox.ApplyDsnAsync(new DeliveryStatusReport("written-1", "mx.example.test",
        [
            new DsnRecipientReport(null, "bob@example.test", DsnAction.Failed, "5.1.1", "smtp; 550 5.1.1 user unknown", null),
            new DsnRecipientReport("carol@example.test", "carol@mailbox.example.test", DsnAction.Failed, "5.2.1", "smtp; 550 5.2.1 disabled", null),
        ]));

        Assert.Equal(["<bob@example.test>", "Carol <carol@example.test>"], result.Bounced);
        var status = await harness.Outbox.GetStatusAsync("written-1");
        Assert.All(status!.Recipients, r => Assert.Equal(RecipientState.Bounced, r.State));
        Assert.Same(status.Recipients[1], status.Recipient("CAROL@example.test"));
        await Eventually.TrueAsync(() => harness.Outbox.IsSuppressed("bob@example.test", out _), "Bob's hard bounce suppressed");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dsn_reaches_a_sender_written_with_a_display_name(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { GenerateDsn = true });

        await harness.Outbox.EnqueueAsync(MailFrom("named-1", "Alice <author@example.test>", "Ghost <ghost@example.test>"));

        await Eventually.TrueAsync(() => server.Messages.Count == 1, "the DSN reached the server");
        var dsn = server.Messages[0];
        Assert.Equal(["author@example.test"], dsn.Envelope.Recipients.Select(r => r.Address));
        Assert.True(DsnParser.TryParse(dsn.Data, out var report));
        Assert.Equal("ghost@example.test", Assert.Single(report.Recipients).FinalRecipient);
        Assert.Contains("<ghost@example.test>: permanent failure", dsn.DataText, StringComparison.Ordinal);
    }

    private static Delivery.OutgoingMail MailFrom(string id, string from, params string[] to)
    {
        var body = $"From: sender@example.test\r\nTo: rcpt@example.test\r\nSubject: {id}\r\nMessage-ID: <{id}@outbox.test>\r\n\r\nbody\r\n";
        return new Delivery.OutgoingMail(from, to, MailActors.Smtp.MessageContent.FromBytes(System.Text.Encoding.ASCII.GetBytes(body))) { MessageId = id };
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dsn_for_an_unknown_envelope_id_matches_nothing_but_still_suppresses_hard_failures(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);

        var result = await harness.Outbox.ApplyDsnAsync(new DeliveryStatusReport("no-such-message", null,
            [new DsnRecipientReport(null, "old@example.test", DsnAction.Failed, "5.1.1", null, null)]));

        Assert.False(result.Matched);
        Assert.Equal(["old@example.test"], result.Suppressed);
        Assert.True(harness.Outbox.IsSuppressed("old@example.test", out _));
    }

    private static async Task<T> NextAsync<T>(OutboxSubscription subscription)
        where T : OutboxEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var e in subscription.Reader.ReadAllAsync(timeout.Token))
        {
            if (e is T wanted)
            {
                return wanted;
            }
        }
        throw new InvalidOperationException("the subscription ended");
    }
}
