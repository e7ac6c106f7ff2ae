using Akka.Actor;
using MailActors.Outbox.Tests.Support;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>A partition that is not running refuses only its own messages; the rest of a batch is journaled.</summary>
public sealed class PartitionUnavailableTests
{
    [Fact]
    public async Task A_batch_over_a_stopped_partition_gets_unavailable_results_for_its_messages_and_the_rest_is_journaled()
    {
        using var store = new TempSqliteStore();
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);
        var outbox = harness.Outbox;
        var ids = Enumerable.Range(0, 40).Select(i => $"u{i}").ToArray();
        var onStopped = ids.Where(id => outbox.PartitionOf(id) == 1).ToHashSet();
        Assert.NotEmpty(onStopped);
        Assert.NotEqual(ids.Length, onStopped.Count);

        // What a partition's backoff supervisor looks like from outside while it is gone: every enqueue sent to it is a
        // dead letter. Stopping the supervisor itself keeps it gone for the whole test.
        Assert.True(await outbox.Partitions[1].GracefulStop(TimeSpan.FromSeconds(10)));
        var results = await outbox.EnqueueBatchAsync(ids.Select(id => new OutboxMessage(OutboxHarness.Mail(id))).ToArray());

        Assert.Equal(ids, results.Select(r => r.MessageId));
        foreach (var result in results)
        {
            if (onStopped.Contains(result.MessageId))
            {
                Assert.Equal(EnqueueOutcome.Rejected, result.Outcome);
                Assert.Equal(OutboxRejection.Unavailable, result.Rejection);
                Assert.Contains("not running", result.Error, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(EnqueueOutcome.Accepted, result.Outcome);
            }
        }
        var single = await Assert.ThrowsAsync<OutboxRejectedException>(() => outbox.EnqueueAsync(OutboxHarness.Mail(onStopped.First())));
        Assert.Equal(OutboxRejection.Unavailable, single.Reason);
        Assert.Equal(onStopped.First(), single.MessageId);
        var accepted = ids.Length - onStopped.Count;
        await Eventually.TrueAsync(() => Task.FromResult(server.MessagesReceived == accepted), $"the {accepted} accepted messages delivered");

        // The stopped partition cannot answer the clean shutdown: the dispose must not wait out its 30 s ask for it.
        await outbox.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
    }
}
