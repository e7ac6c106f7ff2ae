using MailActors.Delivery;
using MailActors.Outbox.Tests.Support;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>Recovery, snapshots, cleanup, the sweep, idempotent enqueue and bad input.</summary>
public sealed class RecoveryTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Messages_accepted_while_the_server_is_down_are_delivered_after_a_restart(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [FaultRule.On(FaultCommands.Connect, FaultAction.Reply("421 4.3.2 not now"))] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        await harness.Outbox.EnqueueBatchAsync(Enumerable.Range(0, 20).Select(i => new OutboxMessage(OutboxHarness.Mail($"down-{i}"))).ToArray());
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred > 0, "some messages deferred");

        server.Faults.Clear();
        await harness.RestartAsync(crash: true);

        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 20, "all 20 delivered after the restart");
        var distinct = server.Messages.Select(m => m.DataText.Split("Subject: ")[1].Split('\r')[0]).Distinct().Count();
        Assert.Equal(20, distinct);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_clean_stop_whose_snapshot_frees_no_row_does_not_wait_for_the_drain_timeout(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [FaultRule.On(FaultCommands.Rcpt, FaultAction.Reply("451 4.3.0 later"))] });
        // No snapshot before the stop, and the deferred message is in the first journal row: the final snapshot keeps every row.
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { Partitions = 1, SnapshotMinEvents = int.MaxValue });
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("pinned"));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == 1, "deferred");

        // The outbox gives in-flight attempts 10 s to settle; with nothing in flight the stop must not wait that out.
        await harness.StopAsync().WaitAsync(TimeSpan.FromSeconds(8));

        Assert.Equal(1, await store.ScalarAsync("SELECT COUNT(*) FROM snapshot"));
        Assert.True(await store.ScalarAsync("SELECT COUNT(*) FROM journal WHERE deleted = false") > 0, "the pinned row is kept");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Replaying_the_journal_rebuilds_exactly_the_state_the_live_partitions_had(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            UnknownRecipients = ["ghost@example.test"],
            Faults = [new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 later"), Match = a => a.Contains("slow@", StringComparison.Ordinal) }],
        });
        // Snapshots off (very high threshold) so that recovery replays every event.
        var options = OutboxHarness.FastOptions with
        {
            SnapshotMinEvents = int.MaxValue,
            SnapshotIdleAfter = TimeSpan.FromHours(1),
            Retry = OutboxHarness.FastOptions.Retry with { BaseDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(1), MaxAge = TimeSpan.FromDays(1) },
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        var messages = Enumerable.Range(0, 30).Select(i => new OutboxMessage(OutboxHarness.Mail($"r-{i}", to: (i % 3) switch { 0 => "ok@example.test", 1 => "ghost@example.test", _ => "slow@example.test" }))
        {
            Source = new SourcePosition("replay", i),
        }).ToArray();
        await harness.Outbox.EnqueueBatchAsync(messages);
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()) is { Delivered: 10, Bounced: 10, Deferred: 10 }, "every message reached its state");
        var live = await harness.Outbox.GetStateBytesAsync();

        // A crash, not a clean stop: a clean stop would snapshot, and this test is about replaying events.
        await harness.RestartAsync(options with { Passive = true }, crash: true);
        var replayed = await harness.Outbox.GetStateBytesAsync();

        Assert.Equal(live.Length, replayed.Length);
        for (var i = 0; i < live.Length; i++)
        {
            var at = live[i].Zip(replayed[i]).TakeWhile(p => p.Item1 == p.Item2).Count();
            Assert.True(live[i].SequenceEqual(replayed[i]), $"partition {i}: {live[i].Length} vs {replayed[i].Length} bytes, first difference at {at}: "
                + System.Text.Encoding.ASCII.GetString(live[i].Skip(Math.Max(0, at - 60)).Take(120).ToArray()) + " ||| "
                + System.Text.Encoding.ASCII.GetString(replayed[i].Skip(Math.Max(0, at - 60)).Take(120).ToArray()));
        }
        var cursor = await harness.Outbox.GetSourceCursorAsync("replay");
        Assert.All(messages, m => Assert.True(cursor.Contains(m.Mail.MessageId, m.Source!.Value.Position)));
        Assert.False(cursor.Contains("r-30", 30));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Snapshots_and_deletion_keep_the_store_from_growing_across_repeated_batches(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Record = false });
        // A small status retention, so the recent statuses kept in snapshots reach their bound in the first round.
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { StatusRetention = 20 });
        var rows = new List<long>();
        var pages = new List<long>();
        for (var round = 0; round < 6; round++)
        {
            var batch = Enumerable.Range(0, 300).Select(i => new OutboxMessage(OutboxHarness.Mail($"b{round}-{i}", size: 2000))).ToArray();
            await harness.Outbox.EnqueueBatchAsync(batch);
            await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 300 * (round + 1), $"round {round} delivered");
            // The idle snapshot comes shortly after the last outcome; the cleanup right after it.
            await Eventually.TrueAsync(async () => await store.ScalarAsync("SELECT COUNT(*) FROM journal WHERE deleted = false") <= 4, $"round {round}: journal cleaned after the snapshot");
            rows.Add(await store.ScalarAsync("SELECT COUNT(*) FROM journal"));
            if (store is TempSqliteStore sqlite)
            {
                sqlite.Scalar("PRAGMA wal_checkpoint(TRUNCATE)");
                pages.Add(sqlite.Scalar("PRAGMA page_count") - sqlite.Scalar("PRAGMA freelist_count"));
            }
        }

        // 1,800 messages (5,400 events, ~3.6 MB of content) went through; the journal keeps a handful of rows, and on
        // SQLite the pages in use stop growing after the first round (freed pages are reused).
        Assert.True(rows.All(r => r <= 8), "journal rows after each round: " + string.Join(", ", rows));
        if (pages.Count > 0)
        {
            Assert.True(pages[^1] <= pages[1] + 16, "pages in use after each round: " + string.Join(", ", pages));
        }
        // Older snapshots are deleted right after a newer one is saved (asynchronously, hence "eventually").
        await Eventually.TrueAsync(async () => await store.ScalarAsync("SELECT COUNT(*) FROM snapshot") <= 3, "one snapshot per partition (plus the suppression list's) at most");
        Assert.Equal(1800, (await harness.Outbox.GetCountsAsync()).Delivered);
        await harness.RestartAsync();
        Assert.Equal(1800, (await harness.Outbox.GetCountsAsync()).Delivered);
    }

    [Fact]
    public async Task A_failed_snapshot_is_retried_so_an_idle_outbox_still_cleans_its_journal()
    {
        await using var store = await TestStore.CreateAsync("sqlite");
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Record = false });
        // Snapshots go to an in-memory store whose first saves fail, as when the database is briefly unreachable.
        FlakySnapshotStore.FailNext(3);
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, extraConfig: FlakySnapshotStore.Config);

        await harness.Outbox.EnqueueBatchAsync(Enumerable.Range(0, 40).Select(i => new OutboxMessage(OutboxHarness.Mail($"flaky-{i}"))).ToArray());
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 40, "delivered");

        // Nothing more is sent: only the partitions' own retries can get the snapshots saved and the events deleted.
        await Eventually.TrueAsync(async () => await store.ScalarAsync("SELECT COUNT(*) FROM journal WHERE deleted = false") <= 2, "journal cleaned after the failed snapshots");
        Assert.Equal(3, FlakySnapshotStore.Failed);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_sweep_re_drives_a_message_whose_scheduled_retry_was_lost(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 later"), Times = 1 }],
        });
        var options = OutboxHarness.FastOptions with { Retry = OutboxHarness.FastOptions.Retry with { BaseDelay = TimeSpan.FromMilliseconds(300), MaxDelay = TimeSpan.FromMilliseconds(300), Jitter = 0 } };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("lost-timer"));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == 1, "deferred once");

        await harness.Outbox.ForgetSchedulesAsync();

        await Eventually.TrueAsync(async () => (await harness.Outbox.GetStatusAsync("lost-timer"))?.IsFinished == true, "the sweep found and delivered it");
        Assert.Equal(RecipientState.Delivered, (await harness.Outbox.GetStatusAsync("lost-timer"))!.Recipients[0].State);
        Assert.Equal(1, server.MessagesReceived);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task With_an_infinite_in_flight_timeout_the_sweep_leaves_a_slow_send_alone(string kind)
    {
        var infinite = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString("mailactors.outbox.in-flight-timeout = infinite")).InFlightTimeout;
        await SweepDuringSlowSendAsync(kind, infinite, async (outbox, server, slowThen, attempts) =>
        {
            // Still at its first attempt and in flight after the sweep that re-drove the witness: that sweep saw it in
            // flight, an hour old, and let it be.
            Assert.Equal(1, slowThen.Recipients[0].Attempts);
            Assert.False(slowThen.IsFinished, "the slow message was still in flight when the sweep ran (the server's hold is too short for this machine)");
            var slow = await FinishedAsync(outbox, "slow");
            Assert.Equal((RecipientState.Delivered, 1), (slow.Recipients[0].State, slow.Recipients[0].Attempts));
            Assert.Equal(new[] { 1 }, await attempts);
            Assert.Single(server.Messages, m => m.Envelope.Recipients.Any(r => r.Address == "slow@example.test"));
        });
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task With_a_finite_in_flight_timeout_the_sweep_sends_a_slow_send_again(string kind)
    {
        await SweepDuringSlowSendAsync(kind, TimeSpan.FromMinutes(10), async (outbox, server, _, attempts) =>
        {
            // The second send is not held (the hold fires once), so it delivers the message while the first still waits.
            var slow = await FinishedAsync(outbox, "slow");
            Assert.Equal((RecipientState.Delivered, 2), (slow.Recipients[0].State, slow.Recipients[0].Attempts));
            Assert.Equal(new[] { 1, 2 }, await attempts);
            // The duplicate at-least-once allows: the first send was slow, not lost.
            await Eventually.TrueAsync(() => server.Messages.Count(m => m.Envelope.Recipients.Any(r => r.Address == "slow@example.test")) == 2,
                "both sends of the slow message arrived");
        });
    }

    /// <summary>
    /// A message whose end of data the server holds for a few seconds, and a sweep that runs while it does with the clock
    /// an hour on, long past a finite <paramref name="inFlightTimeout"/>; then <paramref name="assert"/> with the slow
    /// message's status right after that sweep and the attempt numbers the outbox reported for it up to its delivery.
    /// </summary>
    /// <remarks>
    /// That the sweep ran is not left to timing: a deferred "witness" message whose schedule is forgotten can only be
    /// re-driven by the sweep, and only once the shifted clock makes it overdue, so its delivery proves a sweep ran after
    /// the shift (and the slow message still being unfinished then, that it was in flight during that sweep).
    /// </remarks>
    private static async Task SweepDuringSlowSendAsync(string kind, TimeSpan inFlightTimeout, Func<Outbox, SmtpTestServer, MessageStatus, Task<int[]>, Task> assert)
    {
        var hold = new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.Delay(TimeSpan.FromSeconds(8)), Times = 1 }; // room for a slow store on a busy machine
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            // One message per session: a pipelining session would take the witness behind the held message, and the
            // witness would wait for the hold instead of telling when the sweep ran.
            Pipelining = false,
            Faults =
            [
                new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 later"), Times = 1, Match = a => a.Contains("witness@", StringComparison.Ordinal) },
                hold,
            ],
        });
        var clock = new ShiftableClock();
        var options = OutboxHarness.FastOptions with
        {
            Partitions = 1,
            Clock = clock,
            InFlightTimeout = inFlightTimeout,
            SweepInterval = TimeSpan.FromMilliseconds(100),
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMinutes(30), MaxDelay = TimeSpan.FromMinutes(30), Jitter = 0, MaxAge = TimeSpan.FromDays(1) },
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        using var events = harness.Outbox.Subscribe();
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("witness", to: "witness@example.test"));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == 1, "the witness deferred");
        await harness.Outbox.EnqueueAsync(OutboxHarness.Mail("slow", to: "slow@example.test"));
        await Eventually.TrueAsync(() => hold.FiredCount == 1, "the server holds the slow message's end of data");

        await harness.Outbox.ForgetSchedulesAsync();
        clock.Shift(TimeSpan.FromHours(1));

        await FinishedAsync(harness.Outbox, "witness");
        var slowThen = (await harness.Outbox.GetStatusAsync("slow"))!;
        await assert(harness.Outbox, server, slowThen, SlowAttemptsAsync(events));
    }

    /// <summary>The attempt numbers reported for the slow message until it is delivered.</summary>
    private static async Task<int[]> SlowAttemptsAsync(OutboxSubscription events)
    {
        var attempts = new List<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var e in events.Reader.ReadAllAsync(timeout.Token))
        {
            switch (e)
            {
                case DeliveryAttemptedEvent { MessageId: "slow" } attempted:
                    attempts.Add(attempted.Attempt);
                    break;
                case DeliveredEvent { MessageId: "slow" }:
                    return [.. attempts];
            }
        }
        throw new InvalidOperationException("the subscription ended");
    }

    private static async Task<MessageStatus> FinishedAsync(Outbox outbox, string id)
    {
        MessageStatus? status = null;
        await Eventually.TrueAsync(async () => (status = await outbox.GetStatusAsync(id)) is { IsFinished: true }, $"{id} finished");
        return status!;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Enqueuing_the_same_unfinished_message_or_input_position_twice_journals_it_once(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [FaultRule.On(FaultCommands.Connect, FaultAction.Reply("421 4.3.2 not now"))] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        var outbox = harness.Outbox;
        // An id at a lower input position in the same partition as pos-a: positions are tracked per partition.
        var home = outbox.PartitionOf("pos-a");
        var sameHome = Enumerable.Range(0, 100).Select(i => $"pos-{i}").First(id => outbox.PartitionOf(id) == home);

        var first = await outbox.EnqueueAsync(OutboxHarness.Mail("twice"));
        var second = await outbox.EnqueueAsync(OutboxHarness.Mail("twice"));
        var byPosition = await outbox.EnqueueAsync(new OutboxMessage(OutboxHarness.Mail("pos-a")) { Source = new SourcePosition("in", 5) });
        var earlierPosition = await outbox.EnqueueAsync(new OutboxMessage(OutboxHarness.Mail(sameHome)) { Source = new SourcePosition("in", 3) });

        Assert.Equal(EnqueueOutcome.Accepted, first.Outcome);
        Assert.Equal(EnqueueOutcome.AlreadyAccepted, second.Outcome);
        Assert.Equal(EnqueueOutcome.Accepted, byPosition.Outcome);
        Assert.Equal(EnqueueOutcome.AlreadyAccepted, earlierPosition.Outcome);
        Assert.Equal(2, (await outbox.GetCountsAsync()).MessagesAccepted);
        Assert.Null(await outbox.GetStatusAsync(sameHome));
        var cursor = await outbox.GetSourceCursorAsync("in");
        Assert.True(cursor.Contains("pos-a", 5));
        Assert.True(cursor.Contains(sameHome, 4));
        Assert.False(cursor.Contains("pos-a", 6));
        Assert.Equal(0, cursor.ResumeFrom); // the other partition has taken nothing from "in" yet
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Bad_input_is_rejected_at_enqueue_and_nothing_of_it_is_journaled(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with
        {
            Routes = new Dictionary<string, RouteOutboxOverride> { ["test"] = new(MaxMessageSize: 10_000) },
        });
        var tooLarge = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(OutboxHarness.Mail("big", size: 20_000)));
        var badAddress = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["not an address"], MessageContent.FromBytes("x\r\n"u8.ToArray())) { MessageId = "bad-address" }));
        var nullRecipient = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["a@example.test", "<>"], MessageContent.FromBytes("x\r\n"u8.ToArray())) { MessageId = "null-recipient" }));
        var injected = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test\r\nRCPT TO:<x@y>", ["a@example.test"], MessageContent.FromBytes("x\r\n"u8.ToArray())) { MessageId = "crlf" }));
        var throwing = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["a@example.test"], MessageContent.FromStream(() => new FailingStream())) { MessageId = "throws" }));
        var streamedTooLarge = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["a@example.test"], MessageContent.FromStream(() => new MemoryStream(new byte[50_000]))) { MessageId = "streamed-big" }));
        // 1,000 lines of ten octets with bare LF: 10,000 octets as given, within the limit; 11,000 as DATA sends them.
        var bareLines = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefghi\n", 1000)));
        var grows = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["a@example.test"], MessageContent.FromBytes(bareLines)) { MessageId = "grows" }));
        var streamedGrows = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["a@example.test"], MessageContent.FromStream(() => new MemoryStream(bareLines))) { MessageId = "streamed-grows" }));
        var declaredTooLarge = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["a@example.test"], MessageContent.FromStream(() => throw new InvalidOperationException("opened"), 20_000))
            {
                MessageId = "declared-big",
            }));
        var noRoute = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(OutboxHarness.Mail("no-route") with { Route = "elsewhere" }));
        var mixed = await harness.Outbox.EnqueueBatchAsync([new OutboxMessage(OutboxHarness.Mail("good")), new OutboxMessage(OutboxHarness.Mail("big-too", size: 20_000))]);

        Assert.Equal((OutboxRejection.TooLarge, "big"), (tooLarge.Reason, tooLarge.MessageId));
        Assert.Contains("over the limit of 10000", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.InvalidAddress, badAddress.Reason);
        Assert.Equal(OutboxRejection.InvalidAddress, injected.Reason);
        Assert.Equal(OutboxRejection.InvalidAddress, nullRecipient.Reason);
        Assert.Contains("null path", nullRecipient.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.ContentUnreadable, throwing.Reason);
        Assert.Contains("disk went away", throwing.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.TooLarge, streamedTooLarge.Reason);
        Assert.Contains("as read from its stream", streamedTooLarge.Message, StringComparison.Ordinal);
        // The size compared is the one the session checks against the server's SIZE limit, and the error says so.
        Assert.Equal(OutboxRejection.TooLarge, grows.Reason);
        Assert.Contains("11000 octets as transmitted (line endings as CRLF, as DATA sends it; 10000 as given), over the limit of 10000", grows.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.TooLarge, streamedGrows.Reason);
        Assert.Contains("11000 octets as transmitted (line endings as CRLF, as DATA sends it; 10000 as read from its stream)", streamedGrows.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.TooLarge, declaredTooLarge.Reason); // by its declared length, without opening it
        Assert.Contains("20000 octets by the length its stream declares", declaredTooLarge.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.NoRoute, noRoute.Reason);
        Assert.Equal([EnqueueOutcome.Accepted, EnqueueOutcome.Rejected], mixed.Select(r => r.Outcome));
        Assert.Equal(1, (await harness.Outbox.GetCountsAsync()).MessagesAccepted);
        foreach (var id in new[] { "big", "bad-address", "null-recipient", "crlf", "throws", "streamed-big", "grows", "streamed-grows", "declared-big", "no-route", "big-too" })
        {
            Assert.Null(await harness.Outbox.GetStatusAsync(id));
        }
        await harness.RestartAsync();
        Assert.Equal(1, (await harness.Outbox.GetCountsAsync()).MessagesAccepted);
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) =>
            ++_reads < 3 ? Fill(buffer, offset, count) : throw new IOException("disk went away");
        private static int Fill(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)'x', offset, Math.Min(count, 100));
            return Math.Min(count, 100);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
