using MailActors.Delivery;
using MailActors.Outbox.Dsn;
using MailActors.Outbox.Tests.Support;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>
/// The outbox checks addresses as the route they go to will send them: a route with exact-addresses on gets nothing
/// journaled that its sessions would refuse, and gets what only it can send; and it suppresses and names in DSNs the
/// mailbox that route sends to.
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

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_hard_bounce_on_an_exact_addresses_route_suppresses_and_reports_the_quoted_mailbox_not_the_address_inside_it(string kind)
    {
        // As written, a quoted local part at example.test; taken out of it, ghost@example.test: another mailbox.
        const string Quoted = "\"a <ghost@example.test>\"@example.test";
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = [Quoted] });
        var route = OutboxHarness.Route(server.Port);
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { GenerateDsn = true },
            route with { Session = route.Session with { ExactAddresses = true } });
        var content = MessageContent.FromBytes("Subject: x\r\n\r\nbody\r\n"u8.ToArray());

        await harness.Outbox.EnqueueAsync(new OutgoingMail("author@example.test", [Quoted], content)
        {
            MessageId = "quoted-bounce",
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure },
        });
        await Eventually.TrueAsync(() => server.Messages.Count == 1, "the DSN reached the server");
        await Eventually.TrueAsync(() => harness.Outbox.IsSuppressed(Quoted, out _), "the quoted mailbox is suppressed");
        var plain = await harness.Outbox.EnqueueAsync(new OutgoingMail("author@example.test", ["ghost@example.test"], content) { MessageId = "plain-later" });
        var quoted = await harness.Outbox.EnqueueAsync(new OutgoingMail("author@example.test", [Quoted], content) { MessageId = "quoted-later" });
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetStatusAsync("plain-later")) is { IsFinished: true }
            && (await harness.Outbox.GetStatusAsync("quoted-later")) is { IsFinished: true }, "both later messages finished");

        var dsn = server.Messages[0];
        Assert.Equal(["author@example.test"], dsn.Envelope.Recipients.Select(r => r.Address));
        Assert.True(DsnParser.TryParse(dsn.Data, out var report));
        Assert.Equal(Quoted, Assert.Single(report.Recipients).FinalRecipient);
        Assert.Contains($"<{Quoted}>: permanent failure", dsn.DataText, StringComparison.Ordinal);
        // The ORCPT sent for it names the same mailbox, so a DSN from further on names it too.
        Assert.Contains(server.CommandLog, l => l.Contains("ORCPT=rfc822;\"a+20<ghost@example.test>\"@example.test", StringComparison.Ordinal));
        Assert.False(harness.Outbox.IsSuppressed("ghost@example.test", out _));
        Assert.Equal(["\"a <ghost@example.test>\"@example.test"], (await harness.Outbox.GetSuppressedAsync()).Select(e => e.Address));
        Assert.Empty(plain.SuppressedRecipients);
        Assert.Equal(RecipientState.Delivered, (await harness.Outbox.GetStatusAsync("plain-later"))!.Recipients[0].State);
        Assert.Equal([Quoted], quoted.SuppressedRecipients);
        Assert.Equal(RecipientState.Suppressed, (await harness.Outbox.GetStatusAsync("quoted-later"))!.Recipients[0].State);
        Assert.Equal(["ghost@example.test"], server.Messages.Skip(1).SelectMany(m => m.Envelope.Recipients).Select(r => r.Address));

        // The journaled entry comes back as the same mailbox, not as the address inside it.
        await harness.RestartAsync();
        Assert.True(harness.Outbox.IsSuppressed(Quoted, out _));
        Assert.False(harness.Outbox.IsSuppressed("ghost@example.test", out _));
    }
}
