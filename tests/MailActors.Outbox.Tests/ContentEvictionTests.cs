using MailActors.Delivery;
using MailActors.Outbox.Dsn;
using MailActors.Outbox.Tests.Support;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>
/// deferred-content-in-memory-within: a message deferred for longer keeps only its state in memory, and its content is
/// read back from its journal row when it is needed again (the next attempt, a DSN). A destination that is down for long
/// then fills the store, not the memory bound every enqueue shares, and nothing of the contents is lost on the way.
/// </summary>
public sealed class ContentEvictionTests
{
    private const int ContentSize = 20_000;
    private const int Room = 5;

    [Theory]
    [InlineData("", 30_000)]
    [InlineData("mailactors.outbox.deferred-content-in-memory-within = 5m", 300_000)]
    [InlineData("mailactors.outbox.deferred-content-in-memory-within = 0s", 0)]
    public void The_eviction_threshold_is_read_from_hocon(string hocon, long milliseconds)
    {
        var options = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString(hocon));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options.DeferredContentInMemoryWithin);
    }

    [Fact]
    public void Infinite_keeps_every_content_in_memory_and_the_code_default_matches_hocon()
    {
        var options = OutboxOptions.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString("mailactors.outbox.deferred-content-in-memory-within = infinite"));
        Assert.Equal(TimeSpan.MaxValue, options.DeferredContentInMemoryWithin);
        Assert.Equal(TimeSpan.FromSeconds(30), new OutboxOptions().DeferredContentInMemoryWithin);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_destination_down_for_long_fills_the_store_not_the_memory_bound(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Rcpt, FaultAction.Reply("451 4.3.0 down for now"))],
        });
        // Room for 5 messages in memory; the next attempt of a deferred one is 2 s away, past the 1 s contents stay for.
        var options = OutboxHarness.FastOptions with
        {
            MaxUnfinishedBytes = Room * ContentBudget.ChargeFor(ContentSize),
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(2), Jitter = 0, MaxAge = TimeSpan.FromMinutes(5) },
            DeferredContentInMemoryWithin = TimeSpan.FromSeconds(1),
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        var mails = Enumerable.Range(0, 5 * Room).Select(i => DistinctMails.Create($"down-{i}", ContentSize)).ToArray();

        // Five times what the bound holds with contents in memory: each enqueue gets in once earlier ones are deferred.
        foreach (var (mail, _) in mails)
        {
            await harness.Outbox.EnqueueAsync(new OutboxMessage(mail)).WaitAsync(TimeSpan.FromSeconds(30));
        }
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == mails.Length, "all deferred");
        await Eventually.TrueAsync(() => Task.FromResult(harness.Outbox.MemoryInUse <= mails.Length * ContentBudget.StateBytesPerMessage),
            "the deferred messages are charged their state only");

        await harness.RestartAsync(crash: true);
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == mails.Length, "all deferred again after the restart");
        server.Faults.Clear();

        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == mails.Length, "all delivered once the destination is back");
        foreach (var (mail, bytes) in mails)
        {
            var received = server.Messages.Single(m => m.DataText.Contains($"Subject: {mail.MessageId}\r\n", StringComparison.Ordinal));
            Assert.True(received.Data.Span.SequenceEqual(bytes), $"{mail.MessageId}: the content read back from the journal differs");
        }
        Assert.Equal(0, harness.Outbox.MemoryInUse);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dsn_for_a_message_whose_content_was_evicted_quotes_the_content_read_back(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            UnknownRecipients = ["gone@example.test"],
            Faults = [new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 later"), Match = a => a.Contains("far@", StringComparison.Ordinal) }],
        });
        // Contents stay in memory for retries due within 30 s; this one's is an hour away.
        var options = OutboxHarness.FastOptions with
        {
            GenerateDsn = true,
            DsnReportingMta = "outbox.test",
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(1), Jitter = 0, MaxAge = TimeSpan.FromDays(1) },
            DeferredContentInMemoryWithin = TimeSpan.FromSeconds(30),
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        // gone@ bounces at once; far@ is deferred for an hour, so the message waits with its content evicted.
        var (mail, bytes) = DistinctMails.Create("far-1", ContentSize, "far@example.test");
        await harness.Outbox.EnqueueAsync(new OutboxMessage(new OutgoingMail(mail.Sender, ["gone@example.test", "far@example.test"], mail.Content)
        {
            MessageId = mail.MessageId,
            Parameters = new MailParameters { Return = DsnReturn.Full },
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure },
        }));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()) is { Bounced: 1, Deferred: 1 }, "gone@ bounced, far@ deferred");
        await Eventually.TrueAsync(() => Task.FromResult(harness.Outbox.MemoryInUse == ContentBudget.StateBytesPerMessage), "deferred for an hour: only its state in memory");

        // A bounce report for far@ comes back (the bounce loop) while the content is only in the journal: the message is
        // finished, and the DSN for gone@ (far@'s sender was told by the remote DSN already) quotes the content.
        await harness.Outbox.ApplyDsnAsync(new DeliveryStatusReport("far-1", "mx.example.test",
            [new DsnRecipientReport("far@example.test", "far@example.test", DsnAction.Failed, "5.2.2", "smtp; 552 5.2.2 mailbox full", null)]));

        await Eventually.TrueAsync(() => Task.FromResult(server.Messages.Any(m => m.Envelope.Recipients.Any(r => r.Address == "sender@example.test"))), "the DSN was sent to the envelope sender");
        var dsn = server.Messages.Single(m => m.Envelope.Recipients.Any(r => r.Address == "sender@example.test"));
        var body = System.Text.Encoding.ASCII.GetString(bytes);
        var lastLine = body.TrimEnd('\r', '\n')[(body.TrimEnd('\r', '\n').LastIndexOf('\n') + 1)..];
        Assert.Contains("Subject: far-1", dsn.DataText, StringComparison.Ordinal);
        Assert.Contains("gone@example.test", dsn.DataText, StringComparison.Ordinal);
        Assert.Contains(lastLine, dsn.DataText, StringComparison.Ordinal); // RET=FULL: the whole message, read back
        await Eventually.TrueAsync(() => Task.FromResult(harness.Outbox.MemoryInUse == 0), "nothing held once the DSN is queued");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_snapshot_that_restates_an_evicted_content_waits_for_it_so_the_journal_shrinks(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 later"), Match = a => a.Contains("@later.test", StringComparison.Ordinal) }],
        });
        // One partition, so both deferred messages pin rows of the same journal: far@ waits an hour (its content leaves
        // memory), near@ retries every 200 ms (its content stays).
        var clock = new ShiftableClock();
        var quiet = OutboxHarness.FastOptions with
        {
            Partitions = 1,
            MaxWriteBatchBytes = 32 * 1024, // the slack a restate allows
            DeferredContentInMemoryWithin = TimeSpan.FromSeconds(30),
            SnapshotMinEvents = int.MaxValue,
            Clock = clock,
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, quiet);
        var far = DistinctMails.Create("far-one", 2_000, "far@later.test");
        var near = DistinctMails.Create("near-one", 2_000, "near@later.test");
        await harness.Outbox.EnqueueAsync(new OutboxMessage(far.Mail) { Retry = new RetryOverride(TimeSpan.FromHours(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1)) });
        await harness.Outbox.EnqueueAsync(new OutboxMessage(near.Mail) { Retry = new RetryOverride(MaxAge: TimeSpan.FromDays(1)) });
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == 2, "both deferred");
        // 3.6 MB journaled behind the two with no snapshot meanwhile; the clean shutdown's snapshot keeps all of it.
        await harness.Outbox.EnqueueBatchAsync(Enumerable.Range(0, 1_800).Select(i => new OutboxMessage(DistinctMails.Create($"behind-{i}", 2_000).Mail)).ToArray());
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 1_800, "the 1,800 behind delivered");
        await harness.RestartAsync(quiet with { SnapshotMinEvents = 50 });
        var attempts = (await harness.Outbox.GetStatusAsync("near-one"))!.Recipients[0].Attempts;
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetStatusAsync("near-one"))!.Recipients[0].Attempts > attempts, "near@ retried after the restart");

        // About 360 KB of traffic: one snapshot (due every twice the state's 128 KB), and its round must restate both
        // far@ (read back first) and near@. Afterwards near@'s retries alone stay far below the next snapshot's threshold
        // within the wait, so if that snapshot kept far@'s old row, the 3.6 MB would stay.
        await harness.Outbox.EnqueueBatchAsync(Enumerable.Range(0, 150).Select(i => new OutboxMessage(DistinctMails.Create($"after-{i}", 2_000).Mail)).ToArray());
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 1_950, "the 150 after delivered");
        await Eventually.TrueAsync(async () => await store.ScalarAsync(TestStore.LiveJournalBytes) < 1_000_000,
            "the journal's live rows shrink to well under the 3.6 MB journaled behind the deferred messages");

        await harness.RestartAsync(crash: true);
        server.Faults.Clear();
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 1_951, "near@ delivered after the crash");
        clock.Shift(TimeSpan.FromHours(2)); // far@'s attempt is overdue now: the sweep re-drives it
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 1_952, "far@ delivered once its attempt is due");
        foreach (var (mail, bytes) in new[] { far, near })
        {
            var received = server.Messages.Single(m => m.Envelope.Recipients.Any(r => r.Address == mail.Recipients[0]));
            Assert.True(received.Data.Span.SequenceEqual(bytes), $"{mail.MessageId}: the restated content differs");
        }
    }
}
