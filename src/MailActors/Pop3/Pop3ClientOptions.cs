using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Protocol.Pop3;
using MailActors.Transport;

namespace MailActors.Pop3;

/// <summary>
/// The constructor options of Net::POP3, plus what a modern client needs (STLS policy, certificate trust, pipelining,
/// response limits).
/// </summary>
public sealed record Pop3ClientOptions
{
    /// <summary>Hosts tried in turn (<c>host</c> or <c>host:port</c>); the next one only when connecting fails (Net::POP3 <c>Host</c>).</summary>
    public IReadOnlyList<string> Host { get; init; } = ["localhost"];

    /// <summary>Port for hosts that do not name one; 110, or 995 with <see cref="Ssl"/> (Net::POP3 <c>Port</c>).</summary>
    public int? Port { get; init; }

    /// <summary>TLS from the first byte, POP3S (Net::POP3 <c>SSL</c>).</summary>
    public bool Ssl { get; init; }

    /// <summary>Upgrade with STLS during connect: <see cref="TlsMode.None"/> (the default, as Net::POP3: call
    /// <see cref="Pop3Client.StartTlsAsync"/> yourself), <see cref="TlsMode.StartTls"/> or <see cref="TlsMode.StartTlsWhenAvailable"/>.</summary>
    public TlsMode StartTls { get; init; } = TlsMode.None;

    /// <summary>Certificate validation (on by default) and TLS settings for SSL and STLS (Net::POP3's <c>SSL_*</c> arguments).</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.Default;

    /// <summary>Local address to bind (Net::POP3 <c>LocalAddr</c>).</summary>
    public IPAddress? LocalAddr { get; init; }

    /// <summary>Local port to bind (Net::POP3 <c>LocalPort</c>; <c>ResvPort</c> is the same with a port below 1024).</summary>
    public int LocalPort { get; init; }

    /// <summary>IPv4 or IPv6 only (Net::POP3 <c>Domain</c>/<c>Family</c>); Unspecified = either.</summary>
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    /// <summary>Longest wait for the server (Net::POP3 <c>Timeout</c>, 120 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Write the transcript to standard error (Net::POP3 <c>Debug</c>); see also <see cref="Transcript"/>.</summary>
    public bool Debug { get; init; }

    /// <summary>Where the transcript goes; overrides <see cref="Debug"/>'s standard error. PASS, APOP and AUTH are redacted.</summary>
    public ITranscript? Transcript { get; init; }

    /// <summary>Lets PASS, APOP and AUTH run without TLS. Off by default.</summary>
    public bool AllowCleartextAuthentication { get; init; }

    /// <summary>Send batches (<see cref="Pop3Client.GetManyAsync"/>, <see cref="Pop3Client.DeleteAsync(IEnumerable{int}, CancellationToken)"/>)
    /// in one write when the server offers PIPELINING.</summary>
    public bool UsePipelining { get; init; } = true;

    /// <summary>Ask CAPA during connect, so <see cref="Pop3Client.Capabilities"/> is filled without asking.</summary>
    public bool RequestCapabilities { get; init; } = true;

    /// <summary>Limits on responses; exceeding one ends the session with a protocol error.</summary>
    public Pop3ParserOptions ResponseLimits { get; init; } = Pop3ParserOptions.Default;

    /// <summary>The actor system to run the session in; the process-wide shared one when null.</summary>
    public ActorSystem? ActorSystem { get; init; }

    /// <summary>The session settings these options describe.</summary>
    public Pop3SessionSettings ToSessionSettings() => new()
    {
        Connection = new ConnectionSpec
        {
            Hosts = Host.Select(ServerAddress.Parse).ToArray(),
            DefaultPort = Port ?? (Ssl ? 995 : 110),
            LocalAddress = LocalAddr,
            LocalPort = LocalPort,
            Family = Family,
            ConnectTimeout = Timeout,
            ImplicitTls = Ssl,
            Tls = Tls,
        },
        TlsMode = Ssl ? TlsMode.Implicit : StartTls,
        CommandTimeout = Timeout,
        Transcript = Transcript ?? (Debug ? new TextWriterTranscript(Console.Error) : null),
        AllowCleartextAuthentication = AllowCleartextAuthentication,
        UsePipelining = UsePipelining,
        RequestCapabilities = RequestCapabilities,
        ResponseLimits = ResponseLimits,
    };
}
