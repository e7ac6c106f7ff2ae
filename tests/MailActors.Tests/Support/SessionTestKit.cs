using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using MailActors.Diagnostics;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;
using Xunit.Abstractions;

namespace MailActors.Tests.Support;

/// <summary>Base for session specs: an actor system per test, in-process servers that are disposed with it.</summary>
public abstract partial class SessionTestKit : TestKit, IAsyncLifetime
{
    private const string Hocon = """
        akka.loglevel = INFO
        akka.test.single-expect-default = 10s
        """;

    private readonly List<IAsyncDisposable> _servers = [];

    protected SessionTestKit(ITestOutputHelper output) : base(Hocon, output: output) { }

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    protected async Task<SmtpTestServer> StartServerAsync(SmtpTestServerOptions? options = null)
    {
        var server = await SmtpTestServer.StartAsync(options ?? new SmtpTestServerOptions());
        _servers.Add(server);
        return server;
    }

    /// <summary>
    /// A connection to <paramref name="port"/> on 127.0.0.1; with <paramref name="certificate"/>, TLS trusts it for
    /// <c>localhost</c> (the test servers' and <see cref="TestCertificates.Localhost"/>'s name).
    /// </summary>
    protected static ConnectionSpec Loopback(int port, X509Certificate2? certificate = null) => new()
    {
        Hosts = [new ServerAddress("127.0.0.1", port)],
        DefaultPort = port,
        Tls = certificate is null ? TlsOptions.Default : new TlsOptions { TrustedCertificates = [certificate], TargetHost = "localhost" },
    };

    /// <summary>Settings for a session to <paramref name="server"/> that trust its certificate and time out quickly.</summary>
    protected static SmtpSessionSettings SettingsFor(SmtpTestServer server, ITranscript? transcript = null) => new()
    {
        Connection = Loopback(server.Port, server.Certificate) with { ConnectTimeout = TimeSpan.FromSeconds(5) },
        HelloDomain = "client.example.test",
        CommandTimeout = TimeSpan.FromSeconds(5),
        Transcript = transcript,
    };

    /// <summary>
    /// TLS options whose certificate check takes 1.5 s (and then accepts) and completes <paramref name="checkedIt"/>: a
    /// handshake that is still under way well after a connect was cancelled or its session stopped.
    /// </summary>
    protected static TlsOptions SlowCertificateCheck(TaskCompletionSource checkedIt) => new()
    {
        CertificateValidation = (_, _, _, _) =>
        {
            Thread.Sleep(1500);
            checkedIt.TrySetResult();
            return true;
        },
    };

    /// <summary>
    /// Waits for the slow certificate check to end, then (bounded) for the server to see no session left: the client
    /// must have closed the connection that its handshake opened for nobody.
    /// </summary>
    protected async Task AwaitNoServerSessionAfter(TaskCompletionSource checkedIt, Func<long> sessionsActive)
    {
        await checkedIt.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await AwaitConditionAsync(() => Task.FromResult(sessionsActive() == 0), TimeSpan.FromSeconds(5));
    }

    /// <summary>Starts a session and connects it; returns it in state Ready.</summary>
    protected async Task<IActorRef> ConnectedSessionAsync(SmtpSessionSettings settings)
    {
        var session = Sys.ActorOf(SmtpSessionActor.Props(settings));
        await session.Ask<SmtpSession.Connected>(SmtpSession.Connect.Instance, TimeSpan.FromSeconds(10));
        return session;
    }

    protected static async Task<string> StateOf(IActorRef session) =>
        (await session.Ask<SmtpSession.Info>(SmtpSession.GetInfo.Instance, TimeSpan.FromSeconds(5))).State;
}
