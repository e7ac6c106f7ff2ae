using System.Text;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Protocol;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Tests.Delivery;

/// <summary>How the route table picks a recipient's route and checks addresses in that route's mode (no servers needed).</summary>
public sealed class RouteTableTests
{
    private static readonly MessageContent Content = MessageContent.FromBytes(Encoding.ASCII.GetBytes("Subject: x\r\n\r\nbody\r\n"));

    private static RouteOptions Route(string name, bool exact = false, params string[] domains) => new()
    {
        Name = name,
        Domains = domains,
        Session = new SmtpSessionSettings
        {
            Connection = new ConnectionSpec { Hosts = [new ServerAddress("127.0.0.1", 2525)], DefaultPort = 2525 },
            ExactAddresses = exact,
        },
    };

    [Fact]
    public void A_route_configured_in_hocon_carries_exact_addresses_like_one_built_in_code()
    {
        var config = MailActorsConfig.WithOverrides("""
            mailactors.routes.strict { hosts = ["mx.strict.test"], domains = ["strict.test"], smtp { exact-addresses = on } }
            mailactors.routes.rest { hosts = ["smarthost.example.test"] }
            mailactors.default-route = rest
            """);
        var fromConfig = new RouteTable(MailerOptions.FromConfig(config));
        var inCode = new RouteTable(new MailerOptions { Routes = [Route("strict", exact: true, "strict.test"), Route("rest")], DefaultRoute = "rest" });

        foreach (var table in new[] { fromConfig, inCode })
        {
            Assert.Equal("strict", table.RouteOf("\"a <b>\"@strict.test").Name);
            Assert.Equal("rest", table.RouteOf("Bob <bob@example.test>").Name);
            var error = Assert.Throws<MailArgumentException>(() => table.RouteOf("Bob <bob@strict.test>"));
            Assert.Contains("Route 'strict' has exact-addresses on", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Without_exact_routes_a_bad_recipient_gets_the_error_it_always_got()
    {
        var table = new RouteTable(new MailerOptions { Routes = [Route("a", false, "a.test"), Route("b")] });

        var error = Assert.Throws<MailArgumentException>(() => table.RouteOf("\"a <b>\"@a.test"));

        Assert.StartsWith("'\"a <b>\"@a.test' does not make a valid SMTP path:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_naming_its_route_is_checked_in_that_routes_mode_sender_first()
    {
        var table = new RouteTable(new MailerOptions { Routes = [Route("loose"), Route("strict", exact: true)] });
        var mail = new OutgoingMail("Alice <alice@example.test>", ["Bob <bob@example.test>"], Content);

        var plan = table.Plan(mail with { Route = "LOOSE" });
        var error = Assert.Throws<MailArgumentException>(() => table.Plan(mail with { Route = "strict" }));

        Assert.Equal("loose", Assert.Single(plan.Groups).Route.Name);
        Assert.Contains("'Alice <alice@example.test>'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recipients_are_grouped_by_route_in_the_order_they_first_appear()
    {
        var table = new RouteTable(new MailerOptions { Routes = [Route("rest"), Route("strict", exact: true, "strict.test")] });

        var plan = table.Plan(new OutgoingMail("s@example.test", ["<a@strict.test>", "b@example.test", "c@strict.test"], Content));

        Assert.Equal(["strict", "rest"], plan.Groups.Select(g => g.Route.Name));
        Assert.Equal(["<a@strict.test>", "c@strict.test"], plan.Groups[0].Recipients);
    }

    [Fact]
    public void Line_breaks_are_refused_before_any_address_is_read()
    {
        var table = new RouteTable(new MailerOptions { Routes = [Route("strict", exact: true)] });

        var error = Assert.Throws<MailArgumentException>(() => table.Plan(new OutgoingMail("s@example.test", ["a@example.test\r\nRSET"], Content)));

        Assert.Equal("Recipients", error.ParamName);
    }

    [Fact]
    public void Two_routes_of_one_name_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new RouteTable(new MailerOptions { Routes = [Route("a"), Route("A")] }));

        Assert.Contains("Two routes are named 'A'", error.Message, StringComparison.Ordinal);
    }
}
