using System.Text;
using MailActors.Delivery;
using MailActors.Outbox.Tests.Support;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>
/// max-unfinished-bytes: unfinished messages live in memory, so while a destination is down the outbox stops taking
/// more (an enqueue waits, and nothing of it is journaled) instead of growing without bound; a restart keeps the bound
/// for the backlog it recovers; deliveries make room again.
/// </summary>
public sealed class MemoryBoundTests
{
    private const int ContentSize = 10_000;
    private const int Room = 10;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Enqueues_wait_while_the_backlog_is_at_the_bound_and_go_on_once_deliveries_make_room(string kind)
    {
        var rcptAttempts = 0; // refusals so far: shows that retries go on while an enqueue waits
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults =
            [
                new FaultRule
                {
                    Command = FaultCommands.Rcpt,
                    Action = FaultAction.Reply("451 4.3.0 down for now"),
                    Match = _ =>
                    {
                        Interlocked.Increment(ref rcptAttempts);
                        return true; // every recipient is refused
                    },
                },
            ],
        });
        var options = OutboxHarness.FastOptions with { MaxUnfinishedBytes = Room * ContentBudget.ChargeFor(ContentSize) };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        for (var i = 0; i < Room; i++)
        {
            await harness.Outbox.EnqueueAsync(Mail($"m{i}"));
        }

        // The bound is reached: the next enqueue waits while retries go on, and gives up cleanly when cancelled.
        using (var patience = new CancellationTokenSource())
        {
            var refused = harness.Outbox.EnqueueAsync(Mail("cancelled"), patience.Token);
            await RetriesHappenAsync(() => rcptAttempts);
            Assert.False(refused.IsCompleted, "an enqueue past the bound waits");
            await patience.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refused);
        }
        Assert.Equal(Room, (await harness.Outbox.GetCountsAsync()).MessagesAccepted);

        // After a crash the recovered backlog counts against the bound as before.
        await harness.RestartAsync(crash: true);
        var waiting = harness.Outbox.EnqueueAsync(Mail("late"));
        await RetriesHappenAsync(() => rcptAttempts);
        Assert.False(waiting.IsCompleted, "after a restart, the recovered backlog still fills the bound");

        server.Faults.Clear();
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(EnqueueOutcome.Accepted, result.Outcome);
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == Room + 1, "the backlog and the late message delivered");
        Assert.DoesNotContain(server.Messages, m => m.DataText.Contains("Subject: cancelled\r\n", StringComparison.Ordinal));
    }

    /// <summary>Waits until the server has refused a few more recipients: the outbox is busy retrying meanwhile.</summary>
    private static Task RetriesHappenAsync(Func<int> attempts)
    {
        var target = attempts() + 2 * Room;
        return Eventually.TrueAsync(() => Task.FromResult(attempts() >= target), "the backlog is retried meanwhile");
    }

    private static OutgoingMail Mail(string id)
    {
        var text = new StringBuilder($"From: <sender@example.test>\r\nTo: <rcpt@example.test>\r\nSubject: {id}\r\n\r\n");
        text.Append('x', ContentSize - text.Length - 2).Append("\r\n");
        return new OutgoingMail("sender@example.test", ["rcpt@example.test"], MessageContent.FromBytes(Encoding.ASCII.GetBytes(text.ToString()))) { MessageId = id };
    }
}
