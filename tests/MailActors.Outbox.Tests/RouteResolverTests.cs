using MailActors.Delivery;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Outbox.Tests;

/// <summary>Which route the outbox files a recipient under: the Mailer's rules, with a shortcut when only one route exists.</summary>
public class RouteResolverTests
{
    private static RouteOptions Route(string name, params string[] domains) => new()
    {
        Name = name,
        Domains = domains,
        Session = new SmtpSessionSettings { Connection = new ConnectionSpec { Hosts = [new ServerAddress("127.0.0.1", 2525)], DefaultPort = 2525 } },
    };

    private static RouteOptions ExactRoute(string name, params string[] domains)
    {
        var route = Route(name, domains);
        return route with { Session = route.Session with { ExactAddresses = true } };
    }

    [Fact]
    public void With_one_route_every_recipient_goes_there_even_one_of_a_domain_it_does_not_list()
    {
        var routes = new RouteResolver(new MailerOptions { Routes = [Route("only", "example.test")] });

        Assert.Equal("only", routes.RouteOf(null, "a@example.test"));
        Assert.Equal("only", routes.RouteOf(null, "b@elsewhere.test"));
        Assert.Equal("named", routes.RouteOf("named", "a@example.test"));
    }

    [Fact]
    public void With_several_routes_the_first_serving_the_domain_wins_else_the_default()
    {
        var routes = new RouteResolver(new MailerOptions
        {
            Routes = [Route("bulk", "example.test"), Route("partners", "partner.test", "example.test")],
            DefaultRoute = "partners",
        });

        Assert.Equal("bulk", routes.RouteOf(null, "<A@Example.Test>"));
        Assert.Equal("partners", routes.RouteOf(null, "b@partner.test"));
        Assert.Equal("partners", routes.RouteOf(null, "c@nowhere.test"));
        Assert.Null(new RouteResolver(null).RouteOf(null, "d@example.test"));
    }

    [Fact]
    public void A_recipient_is_filed_by_the_domain_its_routes_mode_reads()
    {
        var routes = new RouteResolver(new MailerOptions { Routes = [Route("rest"), ExactRoute("strict", "strict.test")] });

        Assert.Equal("strict", routes.RouteOf(null, "\"a <b>\"@strict.test"));
        Assert.Equal("rest", routes.RouteOf(null, "Bob <bob@example.test>"));
        // Refused at enqueue, so only a message journaled under other routes gets here: filed under the default route.
        Assert.Equal("rest", routes.RouteOf(null, "Bob <bob@strict.test>"));
    }
}
