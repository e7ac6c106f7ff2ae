using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing;

/// <summary>
/// An in-process POP3 server on loopback (RFC 1939 with CAPA, RESP-CODES, AUTH-RESP-CODE, STLS, SASL AUTH and APOP),
/// serving mailboxes from memory or Maildir folders, with the same runtime fault injection as <see cref="SmtpTestServer"/>.
/// Deletions are committed only by QUIT.
/// </summary>
public sealed class Pop3TestServer : IAsyncDisposable
{
    private readonly TestServerHost _host;
    private readonly ConcurrentDictionary<string, Pop3Mailbox> _mailboxes;

    private Pop3TestServer(Pop3TestServerOptions options)
    {
        Options = options;
        Recorder = new Pop3Recorder(options.Record);
        _mailboxes = new ConcurrentDictionary<string, Pop3Mailbox>(options.Mailboxes, StringComparer.Ordinal);
        _host = new TestServerHost(options);
        _host.Start(RunSessionAsync);
    }

    /// <summary>The options the server was started with.</summary>
    public Pop3TestServerOptions Options { get; }

    /// <summary>The port the server listens on.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The address and port the server listens on.</summary>
    public IPEndPoint EndPoint => _host.EndPoint;

    /// <summary>The certificate served for STLS and implicit TLS, so clients can pin or trust it.</summary>
    public X509Certificate2 Certificate => _host.Certificate;

    /// <summary>The live fault rules; add or remove rules at any time.</summary>
    public FaultRuleSet Faults => _host.Faults;

    /// <summary>Every command line received (all sessions, arrival order, raw: passwords and AUTH payloads included). Empty unless recording.</summary>
    public IReadOnlyList<string> CommandLog => Recorder.CommandLog;

    /// <summary>Connections accepted.</summary>
    public long SessionsOpened => Recorder.SessionsOpened;

    /// <summary>Connections currently open.</summary>
    public long SessionsActive => Recorder.SessionsActive;

    /// <summary>RETR commands answered with a message.</summary>
    public long MessagesRetrieved => Recorder.MessagesRetrieved;

    /// <summary>Message deletions committed by QUIT, over all mailboxes.</summary>
    public long DeletionsCommitted => Recorder.DeletionsCommitted;

    /// <summary>Successful logins (USER/PASS, APOP or AUTH).</summary>
    public long LoginsSucceeded => Recorder.LoginsSucceeded;

    /// <summary>Failed login attempts.</summary>
    public long LoginsFailed => Recorder.LoginsFailed;

    internal Pop3Recorder Recorder { get; }

    internal SslServerAuthenticationOptions TlsOptions => _host.TlsOptions;

    /// <summary>Starts a server listening on <see cref="Pop3TestServerOptions.Address"/> and <see cref="Pop3TestServerOptions.Port"/>.</summary>
    public static Task<Pop3TestServer> StartAsync(Pop3TestServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new Pop3TestServer(options));
    }

    /// <summary>The mailbox of <paramref name="user"/> (created empty if the options gave none), to inspect or add messages.</summary>
    public Pop3Mailbox GetMailbox(string user) => _mailboxes.GetOrAdd(user, static _ => new Pop3Mailbox());

    /// <summary>Forgets the recorded command lines; counters keep counting.</summary>
    public void ClearRecords() => Recorder.Clear();

    /// <summary>Stops listening, closes every session (uncommitted deletions are dropped) and waits for them to end.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private Task RunSessionAsync(ProtocolChannel channel, long sessionId) => new Pop3Session(this, channel).RunAsync();
}
