using MailActors.Delivery;
using MailActors.Protocol;
using MailActors.Testing;
using Xunit.Abstractions;

namespace MailActors.Tests.Delivery;

/// <summary>
/// Routes with exact-addresses on: the Mailer checks each address the way the route it goes to will send it, so a form
/// that route refuses never gets queued, and a form only that route takes is not refused up front.
/// </summary>
public sealed class ExactAddressRouteSpecs(ITestOutputHelper output) : DeliveryTestKit(output)
{
    // A quoted local part holding "<b>": a path as written; the default extraction makes "b" of it, which is no path.
    private const string QuotedLocalPart = "\"a <b>\"@strict.test";

    private static RouteOptions ExactRouteTo(SmtpTestServer server, string name)
    {
        var route = RouteTo(server, name);
        return route with { Session = route.Session with { ExactAddresses = true } };
    }

    private static bool IsTransactionCommand(string line) =>
        line.StartsWith("MAIL", StringComparison.Ordinal) || line.StartsWith("RCPT", StringComparison.Ordinal);

    [Fact]
    public async Task An_exact_addresses_route_refuses_a_display_name_recipient_before_anything_is_queued()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(ExactRouteTo(server, "strict"));

        var error = await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail("Bob <bob@example.test>")));

        Assert.Contains("Route 'strict' has exact-addresses on", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Bob <bob@example.test>' does not make a valid SMTP path", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await StatusOf(mailer, "strict")).SessionsOpened);
        Assert.Empty(server.Messages);
        Assert.DoesNotContain(server.CommandLog, IsTransactionCommand);
    }

    [Fact]
    public async Task An_exact_addresses_route_delivers_a_quoted_local_part_byte_exact()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(ExactRouteTo(server, "strict"));

        var report = await mailer.SendAsync(Mail(QuotedLocalPart, "<\"c <d>\"@strict.test>"));

        Assert.True(report.AllDelivered);
        Assert.Contains("RCPT TO:<\"a <b>\"@strict.test>", server.CommandLog);
        Assert.Contains("RCPT TO:<\"c <d>\"@strict.test>", server.CommandLog);
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task Each_recipient_is_checked_in_the_mode_of_the_route_its_domain_selects()
    {
        var everyone = await StartServerAsync();
        var strict = await StartServerAsync();
        var mailer = StartMailer(RouteTo(everyone, "default"), ExactRouteTo(strict, "strict") with { Domains = ["strict.test"] });

        var report = await mailer.SendAsync(Mail("Bob <bob@example.test>", QuotedLocalPart));
        var refused = await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail("a@example.test", "Carol <carol@strict.test>")));

        Assert.True(report.AllDelivered);
        Assert.Contains("RCPT TO:<bob@example.test>", everyone.CommandLog); // the default route still extracts
        Assert.Contains("RCPT TO:<\"a <b>\"@strict.test>", strict.CommandLog);
        Assert.Contains("Route 'strict' has exact-addresses on", refused.Message, StringComparison.Ordinal);
        Assert.Single(everyone.Messages); // nothing of the refused message was queued on either route
        Assert.Single(strict.Messages);
    }

    [Fact]
    public async Task The_sender_is_checked_in_the_mode_of_every_route_the_message_goes_to()
    {
        var everyone = await StartServerAsync();
        var strict = await StartServerAsync();
        var mailer = StartMailer(RouteTo(everyone, "default"), ExactRouteTo(strict, "strict") with { Domains = ["strict.test"] });
        var content = Mail("x@example.test").Content;

        var report = await mailer.SendAsync(new OutgoingMail("Alice <alice@example.test>", ["a@example.test"], content));
        var error = await Assert.ThrowsAsync<MailArgumentException>(() =>
            mailer.SendAsync(new OutgoingMail("Alice <alice@example.test>", ["a@example.test", "b@strict.test"], content)));

        Assert.True(report.AllDelivered);
        Assert.Contains("MAIL FROM:<alice@example.test>", everyone.CommandLog);
        Assert.Contains("Route 'strict' has exact-addresses on", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Alice <alice@example.test>'", error.Message, StringComparison.Ordinal);
        Assert.Single(everyone.Messages);
        Assert.DoesNotContain(strict.CommandLog, IsTransactionCommand);
    }

    [Fact]
    public async Task An_address_read_as_two_domains_by_two_routes_is_refused_as_ambiguous_unless_the_message_names_its_route()
    {
        var everyone = await StartServerAsync();
        var strict = await StartServerAsync();
        var mailer = StartMailer(RouteTo(everyone, "default"), ExactRouteTo(strict, "strict") with { Domains = ["strict.test"] });
        // Taken out of its angle brackets, y@example.test (the default route's reading); as written, a quoted local
        // part at strict.test (the strict route's reading). Each route would take it, each as a different mailbox.
        const string TwoFaced = "\"x <y@example.test>\"@strict.test";

        var error = await Assert.ThrowsAsync<MailArgumentException>(() => mailer.SendAsync(Mail(TwoFaced)));
        var named = await mailer.SendAsync(Mail(TwoFaced) with { Route = "strict" });

        Assert.Contains("is ambiguous", error.Message, StringComparison.Ordinal);
        Assert.Contains("'example.test' (route 'default', exact-addresses off)", error.Message, StringComparison.Ordinal);
        Assert.Contains("'strict.test' (route 'strict', exact-addresses on)", error.Message, StringComparison.Ordinal);
        Assert.True(named.AllDelivered);
        Assert.Contains("RCPT TO:<\"x <y@example.test>\"@strict.test>", strict.CommandLog);
        Assert.DoesNotContain(everyone.CommandLog, IsTransactionCommand);
    }
}
