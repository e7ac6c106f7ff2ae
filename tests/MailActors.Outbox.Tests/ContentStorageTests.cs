using MailActors.Delivery;
using MailActors.Outbox.Tests.Support;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>
/// Message contents live in the journal rows that accepted them, not in snapshots: snapshots stay small whatever the
/// message sizes, the rows unfinished messages need survive the cleanup, contents are read back after a restart, and a
/// long-deferred message has its content journaled again so that it does not keep every later row alive.
/// </summary>
public sealed class ContentStorageTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Snapshots_refer_to_contents_which_are_read_back_from_the_journal_after_a_crash(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [FaultRule.On(FaultCommands.Connect, FaultAction.Reply("421 4.3.2 not now"))] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        var mails = Enumerable.Range(0, 40).Select(i => DistinctMails.Create($"big-{i}", 20_000)).ToArray();
        await harness.Outbox.EnqueueBatchAsync(mails.Select(m => new OutboxMessage(m.Mail)).ToArray());
        // Every attempt fails and is journaled, so snapshots (and their cleanups) follow while all 40 stay unfinished.
        await Eventually.TrueAsync(async () => await store.ScalarAsync("SELECT COUNT(*) FROM snapshot") > 0 && (await harness.Outbox.GetCountsAsync()).Deferred > 0,
            "a snapshot was saved while the messages were deferred");
        var state = (await harness.Outbox.GetStateBytesAsync()).Sum(s => s.Length);
        Assert.True(state < 40 * 20_000 / 10, $"the partitions' snapshots hold {state} bytes for 800,000 bytes of unfinished contents");

        await harness.RestartAsync(crash: true);
        server.Faults.Clear();

        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 40, "all 40 delivered after the restart");
        foreach (var (mail, bytes) in mails)
        {
            var received = server.Messages.First(m => m.DataText.Contains($"Subject: {mail.MessageId}\r\n", StringComparison.Ordinal));
            Assert.True(received.Data.Span.SequenceEqual(bytes), $"{mail.MessageId}: the content read back from the journal differs");
        }
    }

    [Theory]
    [InlineData("sqlite", false)]
    [InlineData("postgres", false)]
    [InlineData("sqlite", true)]
    [InlineData("postgres", true)]
    public async Task A_long_deferred_message_does_not_keep_the_journal_growing_and_keeps_its_content(string kind, bool evicted)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 later"), Match = a => a.Contains("slow@", StringComparison.Ordinal) }],
        });
        // A small slack, so that a few rounds of traffic behind the deferred message are enough to restate it.
        var options = OutboxHarness.FastOptions with
        {
            MaxWriteBatchBytes = 32 * 1024,
            DeferredContentInMemoryWithin = evicted ? TimeSpan.Zero : TimeSpan.MaxValue,
        };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        var slow = DistinctMails.Create("slow-one", 2_000, "slow@example.test");
        await harness.Outbox.EnqueueAsync(new OutboxMessage(slow.Mail));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == 1, "the slow message deferred");

        for (var round = 0; round < 6; round++)
        {
            await harness.Outbox.EnqueueBatchAsync(Enumerable.Range(0, 300).Select(i => new OutboxMessage(DistinctMails.Create($"r{round}-{i}", 2_000).Mail)).ToArray());
            await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 300 * (round + 1), $"round {round} delivered");
        }
        // 1,800 messages (3.6 MB of content) were journaled after the deferred one; without restating its content, none
        // of their rows could be deleted. The slow message's retries keep snapshots (and cleanups) coming meanwhile.
        await Eventually.TrueAsync(async () => await store.ScalarAsync(TestStore.LiveJournalBytes) < 400_000,
            "the journal's live rows shrink to well under the 3.6 MB journaled behind the deferred message");

        await harness.RestartAsync(crash: true);
        server.Faults.Clear();

        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 1801, "the slow message delivered after the restart");
        var received = server.Messages.Single(m => m.Envelope.Recipients.Any(r => r.Address == "slow@example.test"));
        Assert.True(received.Data.Span.SequenceEqual(slow.Bytes), "the restated content arrived intact");
    }
}
