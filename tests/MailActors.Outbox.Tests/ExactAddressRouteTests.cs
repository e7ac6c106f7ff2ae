using MailActors.Delivery;
using MailActors.Outbox.Tests.Support;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>
/// The outbox checks addresses as the route they go to will send them: a route with exact-addresses on gets nothing
/// journaled that its sessions would refuse, and gets what only it can send.
/// </summary>
public sealed class ExactAddressRouteTests
{
    [Fact]
    public async Task An_exact_addresses_route_gets_a_display_name_form_refused_at_enqueue_and_a_quoted_local_part_delivered_byte_exact()
    {
        await using var store = await TestStore.CreateAsync("sqlite");
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        var route = OutboxHarness.Route(server.Port);
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, route: route with { Session = route.Session with { ExactAddresses = true } });
        var content = MessageContent.FromBytes("Subject: x\r\n\r\nbody\r\n"u8.ToArray());

        var refused = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["Bob <bob@example.test>"], content) { MessageId = "display-name" }));
        var accepted = await harness.Outbox.EnqueueAsync(
            new OutgoingMail("sender@example.test", ["\"a <b>\"@example.test"], content) { MessageId = "quoted" });
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 1, "the quoted local part delivered");

        Assert.Equal(OutboxRejection.InvalidAddress, refused.Reason);
        Assert.Contains("Route 'test' has exact-addresses on", refused.Message, StringComparison.Ordinal);
        Assert.Null(await harness.Outbox.GetStatusAsync("display-name"));
        Assert.Equal(EnqueueOutcome.Accepted, accepted.Outcome);
        Assert.Equal(1, (await harness.Outbox.GetCountsAsync()).MessagesAccepted);
        Assert.Contains("RCPT TO:<\"a <b>\"@example.test>", server.CommandLog);
        Assert.DoesNotContain(server.CommandLog, l => l.Contains("bob@example.test", StringComparison.Ordinal));
    }
}
