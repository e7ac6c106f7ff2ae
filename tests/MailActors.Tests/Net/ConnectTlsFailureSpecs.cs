using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Tests.Net;

/// <summary>
/// <see cref="MailConnectException.IsTlsFailure"/>: set when the handshake failed (implicit, or after STARTTLS was
/// accepted), not when no host could be reached or the greeting was refused.
/// </summary>
public sealed class ConnectTlsFailureSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static readonly TlsOptions Untrusting = new() { TargetHost = "localhost" };

    [Fact]
    public async Task A_starttls_handshake_with_an_untrusted_certificate_is_a_tls_failure()
    {
        var server = await StartServerAsync();
        var settings = SettingsFor(server);
        settings = settings with { TlsMode = TlsMode.StartTls, Connection = settings.Connection with { Tls = Untrusting } };

        var error = await Assert.ThrowsAsync<MailConnectException>(() => Sys.ActorOf(SmtpSessionActor.Props(settings)).Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10)));

        Assert.True(error.IsTlsFailure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_implicit_tls_the_last_host_tried_decides_whether_it_is_a_tls_failure(bool handshakeLast)
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { ImplicitTls = true, StartTls = false });
        var handshake = new ServerAddress("127.0.0.1", server.Port);
        var unreachable = new ServerAddress("127.0.0.1", DeadPort());
        var spec = new ConnectionSpec
        {
            Hosts = handshakeLast ? [unreachable, handshake] : [handshake, unreachable],
            DefaultPort = server.Port,
            ImplicitTls = true,
            Tls = Untrusting,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };

        var error = await Assert.ThrowsAsync<MailConnectException>(() => Connection.OpenAsync(spec, CancellationToken.None));

        Assert.Equal(handshakeLast, error.IsTlsFailure);
        Assert.Contains("certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_greeting_is_not_a_tls_failure()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Faults = FaultSpec.Parse("CONNECT:reply:554 5.3.2 not accepting mail") });

        var error = await Assert.ThrowsAsync<MailConnectException>(() => Sys.ActorOf(SmtpSessionActor.Props(SettingsFor(server))).Ask<Connected>(Connect.Instance, TimeSpan.FromSeconds(10)));

        Assert.False(error.IsTlsFailure);
    }

    /// <summary>A loopback port nothing listens on: connecting to it is refused at once.</summary>
    private static int DeadPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
