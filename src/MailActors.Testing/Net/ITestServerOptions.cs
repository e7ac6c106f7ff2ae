using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing;

/// <summary>The listening, TLS, fault and line settings every test server has, as <see cref="TestServerHost"/> needs them.</summary>
internal interface ITestServerOptions
{
    IPAddress Address { get; }

    int Port { get; }

    int Backlog { get; }

    X509Certificate2? Certificate { get; }

    SslProtocols TlsProtocols { get; }

    IReadOnlyList<FaultRule> Faults { get; }

    int MaxCommandLineLength { get; }

    TimeSpan IdleTimeout { get; }
}
