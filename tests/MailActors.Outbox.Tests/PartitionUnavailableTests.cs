using Akka.Actor;
using Akka.Event;
using MailActors.Protocol.Smtp;
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

    [Fact]
    public async Task A_dsn_whose_partition_is_not_running_stays_pending_and_is_sent_after_a_restart()
    {
        using var store = new TempSqliteStore();
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { GenerateDsn = true });
        var outbox = harness.Outbox;
        // A message on partition 0 whose DSN ("dsn." + id) belongs to partition 1.
        var id = Enumerable.Range(0, 1000).Select(i => $"bounce{i}").First(i => outbox.PartitionOf(i) == 0 && outbox.PartitionOf("dsn." + i) == 1);
        var warned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = harness.System.ActorOf(Props.Create(() => new DsnWarningListener(id, warned)));
        harness.System.EventStream.Subscribe(listener, typeof(Warning));
        Assert.True(await outbox.Partitions[1].GracefulStop(TimeSpan.FromSeconds(10)));

        await outbox.EnqueueAsync(OutboxHarness.Mail(id, to: "ghost@example.test", from: "author@example.test") with
        {
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure },
        });
        // The bounce happened and its DSN was offered to the stopped partition (either code path logs a warning naming it).
        await warned.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await harness.RestartAsync(crash: true);

        await Eventually.TrueAsync(() => Task.FromResult(server.Messages.Count == 1), "the DSN reached the sender after the restart", timeoutSeconds: 30);
        var dsn = server.Messages[0];
        Assert.Equal(["author@example.test"], dsn.Envelope.Recipients.Select(r => r.Address));
        Assert.Contains(id, dsn.DataText, StringComparison.Ordinal);
    }

    private sealed class DsnWarningListener : ReceiveActor
    {
        public DsnWarningListener(string id, TaskCompletionSource warned) =>
            Receive<Warning>(warning =>
            {
                var text = warning.ToString();
                if (text.Contains("DSN", StringComparison.Ordinal) && text.Contains(id, StringComparison.Ordinal))
                {
                    warned.TrySetResult();
                }
            });
    }
}
