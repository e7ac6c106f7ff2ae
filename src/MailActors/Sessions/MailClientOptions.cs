using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Transport;

namespace MailActors.Sessions;

/// <summary>
/// The constructor options libnet's Net::SMTP and Net::POP3 share — where to connect, how to encrypt, the socket
/// binding, the timeout and the debug transcript — plus the credential policy both engines enforce.
/// </summary>
public abstract record MailClientOptions
{
    /// <summary>Hosts tried in turn (<c>host</c> or <c>host:port</c>); the next one only when connecting fails (libnet <c>Host</c>).</summary>
    public IReadOnlyList<string> Host { get; init; } = ["localhost"];

    /// <summary>Port for hosts that do not name one (libnet <c>Port</c>); the protocol's standard port when null.</summary>
    public int? Port { get; init; }

    /// <summary>TLS from the first byte: SMTPS or POP3S (libnet <c>SSL</c>).</summary>
    public bool Ssl { get; init; }

    /// <summary>Upgrade with STARTTLS/STLS during connect: <see cref="TlsMode.None"/> (the default, as libnet: upgrade
    /// yourself), <see cref="TlsMode.StartTls"/> or <see cref="TlsMode.StartTlsWhenAvailable"/>.</summary>
    public TlsMode StartTls { get; init; } = TlsMode.None;

    /// <summary>Certificate validation (on by default) and TLS settings for SSL and STARTTLS/STLS (libnet's <c>SSL_*</c> arguments).</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.Default;

    /// <summary>Local address to bind (libnet <c>LocalAddr</c>).</summary>
    public IPAddress? LocalAddr { get; init; }

    /// <summary>Local port to bind (libnet <c>LocalPort</c>; Net::POP3's <c>ResvPort</c> is a port below 1024 here).</summary>
    public int LocalPort { get; init; }

    /// <summary>IPv4 or IPv6 only (libnet <c>Domain</c>/<c>Family</c>); Unspecified = either.</summary>
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    /// <summary>Longest wait for the server (libnet <c>Timeout</c>, 120 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Write the transcript to standard error (libnet <c>Debug</c>); see also <see cref="Transcript"/>.</summary>
    public bool Debug { get; init; }

    /// <summary>Where the transcript goes; overrides <see cref="Debug"/>'s standard error. Secrets are redacted.</summary>
    public ITranscript? Transcript { get; init; }

    /// <summary>Lets credentials cross a connection without TLS. Off by default.</summary>
    public bool AllowCleartextAuthentication { get; init; }

    /// <summary>The actor system to run the session in; the process-wide shared one when null.</summary>
    public ActorSystem? ActorSystem { get; init; }

    /// <summary>The TLS mode these options ask for.</summary>
    private protected TlsMode EffectiveTlsMode => Ssl ? TlsMode.Implicit : StartTls;

    /// <summary>The transcript these options ask for.</summary>
    private protected ITranscript? EffectiveTranscript => Transcript ?? (Debug ? new TextWriterTranscript(Console.Error) : null);

    /// <summary>The connection these options describe, with the protocol's standard ports.</summary>
    private protected ConnectionSpec ToConnectionSpec(int plainPort, int implicitTlsPort) => new()
    {
        Hosts = Host.Select(ServerAddress.Parse).ToArray(),
        DefaultPort = Port ?? (Ssl ? implicitTlsPort : plainPort),
        LocalAddress = LocalAddr,
        LocalPort = LocalPort,
        Family = Family,
        ConnectTimeout = Timeout,
        ImplicitTls = Ssl,
        Tls = Tls,
    };
}
