using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing;

/// <summary>
/// What the SMTP and POP3 test servers share around their sessions: the certificate and TLS options, the live fault rules,
/// and the listener that gives each accepted connection a <see cref="ProtocolChannel"/>.
/// </summary>
internal sealed class TestServerHost : IAsyncDisposable
{
    private readonly ITestServerOptions _options;
    private TcpTestListener? _listener;

    public TestServerHost(ITestServerOptions options)
    {
        _options = options;
        Certificate = options.Certificate ?? TestCertificates.Localhost;
        Faults = new FaultRuleSet(options.Faults);
        TlsOptions = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(Certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = options.TlsProtocols,
            ClientCertificateRequired = false,
        };
    }

    public X509Certificate2 Certificate { get; }

    public FaultRuleSet Faults { get; }

    public SslServerAuthenticationOptions TlsOptions { get; }

    public IPEndPoint EndPoint => _listener?.EndPoint ?? throw new InvalidOperationException("The server is not listening yet.");

    /// <summary>
    /// Binds and starts accepting. Separate from construction so the server has its host (faults, TLS options) in place
    /// before the first session can ask for it.
    /// </summary>
    public void Start(Func<ProtocolChannel, long, Task> runSession)
    {
        // SASL responses travel as lines too and may be longer than commands.
        var maxLineLength = Math.Max(_options.MaxCommandLineLength, SaslExchange.MaxResponseLength);
        _listener = TcpTestListener.Start(
            new IPEndPoint(_options.Address, _options.Port),
            _options.Backlog,
            (socket, sessionId, stopping) => runSession(new ProtocolChannel(socket, maxLineLength, _options.IdleTimeout, stopping), sessionId));
    }

    public ValueTask DisposeAsync() => _listener?.DisposeAsync() ?? ValueTask.CompletedTask;
}
