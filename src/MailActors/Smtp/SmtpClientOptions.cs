using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Protocol.Smtp;
using MailActors.Transport;

namespace MailActors.Smtp;

/// <summary>
/// The constructor options of Net::SMTP, plus what a modern client needs (TLS policy, certificate trust, pipelining).
/// </summary>
public sealed record SmtpClientOptions
{
    /// <summary>Hosts tried in turn (<c>host</c> or <c>host:port</c>); the next one only when connecting fails (Net::SMTP <c>Host</c>).</summary>
    public IReadOnlyList<string> Host { get; init; } = ["localhost"];

    /// <summary>Port for hosts that do not name one; 25, or 465 with <see cref="Ssl"/> (Net::SMTP <c>Port</c>).</summary>
    public int? Port { get; init; }

    /// <summary>TLS from the first byte, SMTPS (Net::SMTP <c>SSL</c>).</summary>
    public bool Ssl { get; init; }

    /// <summary>Upgrade with STARTTLS during connect: <see cref="TlsMode.None"/> (the default, as Net::SMTP: call
    /// <see cref="SmtpClient.StartTlsAsync"/> yourself), <see cref="TlsMode.StartTls"/> or <see cref="TlsMode.StartTlsWhenAvailable"/>.</summary>
    public TlsMode StartTls { get; init; } = TlsMode.None;

    /// <summary>Certificate validation (on by default) and TLS settings for SSL and STARTTLS.</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.Default;

    /// <summary>Domain for EHLO/HELO (Net::SMTP <c>Hello</c>).</summary>
    public string Hello { get; init; } = "localhost.localdomain";

    /// <summary>Greet during connect (Net::SMTP <c>SendHello</c>).</summary>
    public bool SendHello { get; init; } = true;

    /// <summary>Local address to bind (Net::SMTP <c>LocalAddr</c>).</summary>
    public IPAddress? LocalAddr { get; init; }

    /// <summary>Local port to bind (Net::SMTP <c>LocalPort</c>).</summary>
    public int LocalPort { get; init; }

    /// <summary>IPv4 or IPv6 only (Net::SMTP <c>Domain</c>/<c>Family</c>); Unspecified = either.</summary>
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    /// <summary>Longest wait for a reply (Net::SMTP <c>Timeout</c>, 120 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Addresses must be RFC 5321 paths already (Net::SMTP <c>ExactAddresses</c>).</summary>
    public bool ExactAddresses { get; init; }

    /// <summary>Write the transcript to standard error (Net::SMTP <c>Debug</c>); see also <see cref="Transcript"/>.</summary>
    public bool Debug { get; init; }

    /// <summary>Where the transcript goes; overrides <see cref="Debug"/>'s standard error.</summary>
    public ITranscript? Transcript { get; init; }

    /// <summary>Lets AUTH run without TLS. Off by default.</summary>
    public bool AllowCleartextAuthentication { get; init; }

    /// <summary>Pipeline transactions when the server offers PIPELINING.</summary>
    public bool UsePipelining { get; init; } = true;

    /// <summary>Send content with BDAT when the server offers CHUNKING.</summary>
    public bool PreferChunking { get; init; }

    /// <summary>Reply parsing limits.</summary>
    public SmtpReplyParserOptions ReplyLimits { get; init; } = new();

    /// <summary>The actor system to run the session in; the process-wide shared one when null.</summary>
    public ActorSystem? ActorSystem { get; init; }

    /// <summary>The session settings these options describe.</summary>
    public SmtpSessionSettings ToSessionSettings() => new()
    {
        Connection = new ConnectionSpec
        {
            Hosts = Host.Select(ServerAddress.Parse).ToArray(),
            DefaultPort = Port ?? (Ssl ? 465 : 25),
            LocalAddress = LocalAddr,
            LocalPort = LocalPort,
            Family = Family,
            ConnectTimeout = Timeout,
            ImplicitTls = Ssl,
            Tls = Tls,
        },
        TlsMode = Ssl ? TlsMode.Implicit : StartTls,
        HelloDomain = Hello,
        SendHello = SendHello,
        CommandTimeout = Timeout,
        ExactAddresses = ExactAddresses,
        Transcript = Transcript ?? (Debug ? new TextWriterTranscript(Console.Error) : null),
        AllowCleartextAuthentication = AllowCleartextAuthentication,
        UsePipelining = UsePipelining,
        PreferChunking = PreferChunking,
        ReplyLimits = ReplyLimits,
    };
}
