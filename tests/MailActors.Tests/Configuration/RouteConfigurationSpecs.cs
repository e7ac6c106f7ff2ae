using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Transport;

namespace MailActors.Tests.Configuration;

/// <summary>Routes read from HOCON: defaults, per-route overrides, credentials from the environment, clear errors.</summary>
public sealed class RouteConfigurationSpecs
{
    [Fact]
    public void A_route_takes_route_defaults_and_its_own_overrides()
    {
        Environment.SetEnvironmentVariable("MAILACTORS_TEST_ROUTE_PW", "pw-from-env");
        var config = MailActorsConfig.WithOverrides("""
            mailactors.routes.partners {
              hosts = ["mx1.partner.test:2525", "mx2.partner.test"]
              domains = ["partner.test", "*.partner.test"]
              user = "mailer"
              password-env = "MAILACTORS_TEST_ROUTE_PW"
              max-sessions = 7
              max-message-rate = 12.5
              smtp { tls = starttls, hello = "out.example.test" }
            }
            mailactors.routes.rest { hosts = ["smarthost.example.test"] }
            mailactors.default-route = rest
            """);

        var options = MailerOptions.FromConfig(config);
        var partners = options.Routes.Single(r => r.Name == "partners");
        var rest = options.Routes.Single(r => r.Name == "rest");

        Assert.Equal("rest", options.DefaultRoute);
        Assert.Equal([new ServerAddress("mx1.partner.test", 2525), new ServerAddress("mx2.partner.test", null)], partners.Session.Connection.Hosts);
        Assert.True(partners.Serves("eu.partner.test"));
        Assert.False(partners.Serves("example.test"));
        Assert.Equal("mailer", partners.Session.Credentials!.UserName);
        Assert.Equal("pw-from-env", partners.Session.Credentials.Password);
        Assert.Equal(7, partners.MaxSessions);
        Assert.Equal(12.5, partners.MaxMessageRate);
        Assert.Null(partners.MaxConnectionRate);
        Assert.Equal(TlsMode.StartTls, partners.Session.TlsMode);
        Assert.Equal("out.example.test", partners.Session.HelloDomain);
        Assert.Equal(10, rest.MaxSessions);
        Assert.Equal(TlsMode.None, rest.Session.TlsMode);
        Assert.Equal(1000, rest.QueueCapacity);
        Assert.Equal(TimeSpan.FromSeconds(30), rest.CircuitOpenDuration);
    }

    [Fact]
    public void A_missing_password_variable_is_a_clear_error()
    {
        var config = MailActorsConfig.WithOverrides("""
            mailactors.routes.r { hosts = ["h"], user = u, password-env = "MAILACTORS_NO_SUCH_VARIABLE" }
            """);

        var error = Assert.Throws<ArgumentException>(() => MailerOptions.FromConfig(config));

        Assert.Contains("MAILACTORS_NO_SUCH_VARIABLE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_route_without_hosts_is_a_clear_error()
    {
        var config = MailActorsConfig.WithOverrides("mailactors.routes.empty { hosts = [] }");

        var error = Assert.Throws<ArgumentException>(() => MailerOptions.FromConfig(config));

        Assert.Contains("no hosts", error.Message, StringComparison.Ordinal);
    }
}
