using System.Text;
using MailActors.Delivery;
using MailActors.Outbox.Tests.Support;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>
/// max-message-size counts what the session checks against the server's SIZE limit, the message as DATA sends it, so
/// the outbox refuses at enqueue exactly what a server with that limit would have the session refuse after journaling.
/// </summary>
public sealed class MessageSizeTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Bare_LF_content_is_held_to_the_route_limit_as_sent_so_what_is_journaled_the_server_takes(string kind)
    {
        const int Limit = 10_000;
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { MaxMessageSize = Limit });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with
        {
            Routes = new Dictionary<string, RouteOutboxOverride> { ["test"] = new(MaxMessageSize: Limit) },
        });
        var fits = BareLfMessage(transmitted: Limit);
        var over = BareLfMessage(transmitted: Limit + 1);
        Assert.True(over.Length < Limit, "as stored, both are well within the limit");

        await harness.Outbox.EnqueueAsync(new OutgoingMail("sender@example.test", ["a@example.test"], MessageContent.FromBytes(fits)) { MessageId = "fits" });
        var refused = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["a@example.test"], MessageContent.FromBytes(over)) { MessageId = "over" }));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetStatusAsync("fits")) is { IsFinished: true }, "fits finished");

        Assert.Equal(RecipientState.Delivered, (await harness.Outbox.GetStatusAsync("fits"))!.Recipients[0].State);
        Assert.Contains(server.CommandLog, l => l.Contains($"SIZE={Limit}", StringComparison.Ordinal)); // at the limit, as the outbox counted it
        Assert.Equal(OutboxRejection.TooLarge, refused.Reason);
        Assert.Contains($"{Limit + 1} octets as transmitted", refused.Message, StringComparison.Ordinal);
        Assert.Null(await harness.Outbox.GetStatusAsync("over"));
        Assert.Equal(1, (await harness.Outbox.GetCountsAsync()).MessagesAccepted);
    }

    /// <summary>A message of bare-LF lines that DATA sends as exactly <paramref name="transmitted"/> octets (each line one more as CRLF).</summary>
    private static byte[] BareLfMessage(int transmitted)
    {
        var text = new StringBuilder("Subject: size\n\n"); // 17 octets as sent
        var left = transmitted - 17;
        while (left > 13)
        {
            text.Append("abcdefghi\n");
            left -= 11;
        }
        text.Append('x', left - 2).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
