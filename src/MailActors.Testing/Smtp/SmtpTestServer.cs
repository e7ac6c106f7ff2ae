using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing;

/// <summary>
/// An in-process SMTP server on loopback for tests, benchmarks and <c>mailactors sink</c>: correct RFC 5321 state
/// machine with ESMTP extensions (PIPELINING, CHUNKING, SIZE, STARTTLS, AUTH, ...), optional recording of every
/// message byte-exact, counters, and runtime fault injection in the vocabulary of Postfix <c>smtp-sink</c>.
/// One asynchronous task per connection; idle connections hold no buffers.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TestServerHost _host;

    private SmtpTestServer(SmtpTestServerOptions options)
    {
        Options = options;
        Recorder = new SmtpRecorder(options.Record);
        _host = new TestServerHost(options);
        _host.Start(RunSessionAsync);
    }

    /// <summary>The options the server was started with.</summary>
    public SmtpTestServerOptions Options { get; }

    /// <summary>The port the server listens on.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The address and port the server listens on.</summary>
    public IPEndPoint EndPoint => _host.EndPoint;

    /// <summary>The certificate served for STARTTLS and implicit TLS, so clients can pin or trust it.</summary>
    public X509Certificate2 Certificate => _host.Certificate;

    /// <summary>The live fault rules; add or remove rules at any time.</summary>
    public FaultRuleSet Faults => _host.Faults;

    /// <summary>Messages accepted so far (a snapshot; empty unless <see cref="SmtpTestServerOptions.Record"/>).</summary>
    public IReadOnlyList<ReceivedMessage> Messages => Recorder.Messages;

    /// <summary>Every command line received, all sessions interleaved in arrival order, raw (AUTH payloads included). Empty unless recording.</summary>
    public IReadOnlyList<string> CommandLog => Recorder.CommandLog;

    /// <summary>Snapshots of the sessions so far, each with its own command log. Empty unless recording.</summary>
    public IReadOnlyList<SmtpSessionInfo> Sessions => Recorder.Sessions;

    /// <summary>Messages accepted (counted even when not recording).</summary>
    public long MessagesReceived => Recorder.MessagesReceived;

    /// <summary>Content bytes of accepted messages (after dot-unstuffing).</summary>
    public long BytesReceived => Recorder.BytesReceived;

    /// <summary>RCPT commands answered 250.</summary>
    public long RecipientsAccepted => Recorder.RecipientsAccepted;

    /// <summary>Connections accepted.</summary>
    public long SessionsOpened => Recorder.SessionsOpened;

    /// <summary>Connections currently open.</summary>
    public long SessionsActive => Recorder.SessionsActive;

    /// <summary>Replies sent, by reply code (a multi-line reply counts once; fault replies included).</summary>
    public ConcurrentDictionary<int, long> RepliesByCode => Recorder.RepliesByCode;

    internal SmtpRecorder Recorder { get; }

    internal SslServerAuthenticationOptions TlsOptions => _host.TlsOptions;

    /// <summary>Starts a server listening on <see cref="SmtpTestServerOptions.Address"/> and <see cref="SmtpTestServerOptions.Port"/>.</summary>
    public static Task<SmtpTestServer> StartAsync(SmtpTestServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new SmtpTestServer(options));
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have been accepted; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public Task WaitForMessagesAsync(int count, TimeSpan timeout) => Recorder.WaitForMessagesAsync(count, timeout);

    /// <summary>Forgets recorded messages, command lines and closed sessions; counters keep counting.</summary>
    public void ClearRecords() => Recorder.Clear();

    /// <summary>Stops listening, closes every session and waits for them to end.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private Task RunSessionAsync(ProtocolChannel channel, long sessionId) => new SmtpSession(this, channel, sessionId).RunAsync();
}
