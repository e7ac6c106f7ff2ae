using MailActors.Outbox.Tests.Support;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

public sealed class OutboxDeliveryTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Enqueued_messages_are_delivered_and_reported_delivered(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);

        var results = await harness.Outbox.EnqueueBatchAsync(Enumerable.Range(0, 50).Select(i => new OutboxMessage(OutboxHarness.Mail($"m{i}"))).ToArray());

        Assert.All(results, r => Assert.Equal(EnqueueOutcome.Accepted, r.Outcome));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 50, "all 50 delivered");
        var counts = await harness.Outbox.GetCountsAsync();
        Assert.Equal(50, counts.MessagesAccepted);
        Assert.Equal(0, counts.MessagesUnfinished);
        Assert.Equal(50, server.MessagesReceived);
        var status = await harness.Outbox.GetStatusAsync("m7");
        Assert.NotNull(status);
        Assert.True(status.IsFinished);
        Assert.Equal(RecipientState.Delivered, status.Recipients[0].State);
        Assert.Equal(250, status.Recipients[0].LastReply!.Code);
    }
}
