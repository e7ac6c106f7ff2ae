using System.Text;
using Akka.Actor;
using MailActors.Delivery;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;

namespace MailActors.Tests.Delivery;

/// <summary>Helpers for mailer specs: routes to in-process servers with short timeouts and delays.</summary>
public abstract class DeliveryTestKit(ITestOutputHelper output) : SessionTestKit(output)
{
    private readonly List<Mailer> _mailers = [];

    protected static RouteOptions RouteTo(SmtpTestServer server, string name = "test") => new()
    {
        Name = name,
        Session = SettingsFor(server) with { CommandTimeout = TimeSpan.FromSeconds(2) },
        MaxSessions = 4,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    protected static RouteOptions RouteToPort(int port, string name) => new()
    {
        Name = name,
        Session = new SmtpSessionSettings
        {
            Connection = new ConnectionSpec { Hosts = [new ServerAddress("127.0.0.1", port)], DefaultPort = port, ConnectTimeout = TimeSpan.FromSeconds(1) },
            CommandTimeout = TimeSpan.FromSeconds(1),
        },
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    protected Mailer StartMailer(params RouteOptions[] routes)
    {
        var mailer = Mailer.Create(Sys, new MailerOptions { Routes = routes, DrainTimeout = TimeSpan.FromSeconds(2) });
        _mailers.Add(mailer);
        return mailer;
    }

    protected static OutgoingMail Mail(params string[] recipients) =>
        new("sender@example.test", recipients, MessageContent.FromBytes(Encoding.ASCII.GetBytes("Subject: hello\r\n\r\nbody\r\n")));

    protected static async Task<RouteSupervisor.RouteStatus> StatusOf(Mailer mailer, string route = "test") =>
        await mailer.Routes[route].Ask<RouteSupervisor.RouteStatus>(RouteSupervisor.GetStatus.Instance, TimeSpan.FromSeconds(5));

    protected static int UnusedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public override async Task DisposeAsync()
    {
        foreach (var mailer in _mailers)
        {
            await mailer.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}
