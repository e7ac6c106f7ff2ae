using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing;

/// <summary>
/// Configuration of an <see cref="SmtpTestServer"/>. The defaults give a well-behaved ESMTP server on an ephemeral
/// loopback port that advertises PIPELINING, CHUNKING, 8BITMIME, BINARYMIME, SMTPUTF8, DSN, ENHANCEDSTATUSCODES,
/// STARTTLS and VRFY, offers no AUTH, and records every message.
/// </summary>
public sealed record SmtpTestServerOptions : ITestServerOptions
{
    /// <summary>Address to listen on: <see cref="IPAddress.Loopback"/> by default, <see cref="IPAddress.IPv6Loopback"/> for ::1.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port to listen on; 0 (the default) picks a free ephemeral port, see <see cref="SmtpTestServer.Port"/>.</summary>
    public int Port { get; init; }

    /// <summary>Listen backlog (pending connections the kernel queues).</summary>
    public int Backlog { get; init; } = 4096;

    /// <summary>Host name in the greeting and the first EHLO line.</summary>
    public string ServerName { get; init; } = "localhost";

    /// <summary>Text of the 220 greeting after the server name.</summary>
    public string Greeting { get; init; } = "ESMTP MailActors test server";

    /// <summary>Advertise and honour PIPELINING (RFC 2920). Replies are batched either way; this only changes the EHLO list.</summary>
    public bool Pipelining { get; init; } = true;

    /// <summary>Advertise and accept BDAT (CHUNKING, RFC 3030). When off, BDAT is an unknown command.</summary>
    public bool Chunking { get; init; } = true;

    /// <summary>Advertise 8BITMIME and accept <c>BODY=8BITMIME</c>.</summary>
    public bool EightBitMime { get; init; } = true;

    /// <summary>Advertise BINARYMIME and accept <c>BODY=BINARYMIME</c> (with BDAT only).</summary>
    public bool BinaryMime { get; init; } = true;

    /// <summary>Advertise SMTPUTF8 and accept the <c>SMTPUTF8</c> parameter and UTF-8 addresses with it.</summary>
    public bool SmtpUtf8 { get; init; } = true;

    /// <summary>Advertise DSN and accept RET, ENVID, NOTIFY and ORCPT.</summary>
    public bool Dsn { get; init; } = true;

    /// <summary>Advertise ENHANCEDSTATUSCODES and put enhanced codes in the server's own replies.</summary>
    public bool EnhancedStatusCodes { get; init; } = true;

    /// <summary>Advertise and perform STARTTLS.</summary>
    public bool StartTls { get; init; } = true;

    /// <summary>
    /// Largest message accepted, advertised as <c>SIZE n</c> and enforced for the <c>SIZE=</c> parameter and the
    /// received content (552 5.3.4). Null (the default) = SIZE not advertised and no limit; 0 = a bare <c>SIZE</c> keyword, no limit.
    /// </summary>
    public long? MaxMessageSize { get; init; }

    /// <summary>Most recipients per transaction (452 4.5.3 beyond it); null = unlimited.</summary>
    public int? MaxRecipients { get; init; }

    /// <summary>SASL mechanisms advertised in AUTH (see <see cref="SaslMechanisms"/>); empty = no AUTH.</summary>
    public IReadOnlyList<string> AuthMechanisms { get; init; } = [];

    /// <summary>User name to plaintext password table that AUTH checks against.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>Offer AUTH only over TLS; AUTH before STARTTLS gets 538 5.7.11.</summary>
    public bool RequireTlsForAuth { get; init; }

    /// <summary>MAIL before AUTH gets 530 5.7.0 (a submission server).</summary>
    public bool RequireAuth { get; init; }

    /// <summary>MAIL before STARTTLS gets 530 5.7.0.</summary>
    public bool RequireTls { get; init; }

    /// <summary>Wrap every connection in TLS before the greeting (port-465 style).</summary>
    public bool ImplicitTls { get; init; }

    /// <summary>Certificate to serve; null uses <see cref="TestCertificates.Localhost"/>.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>TLS versions to allow; <see cref="SslProtocols.None"/> lets the operating system choose.</summary>
    public SslProtocols TlsProtocols { get; init; } = SslProtocols.None;

    /// <summary>Advertise and accept ETRN.</summary>
    public bool Etrn { get; init; }

    /// <summary>Advertise and answer VRFY (otherwise 502).</summary>
    public bool Vrfy { get; init; } = true;

    /// <summary>Answer EXPN from <see cref="MailingLists"/> (otherwise 502).</summary>
    public bool Expn { get; init; }

    /// <summary>
    /// Custom VRFY answers: gets the argument, returns the complete reply (CRLF-separated lines for a multi-line one).
    /// Null: unknown recipients get 550 5.1.1, others 252 2.0.0.
    /// </summary>
    public Func<string, string>? VrfyResponder { get; init; }

    /// <summary>Mailing lists EXPN expands: list name to member addresses (names compared case-insensitively).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> MailingLists { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>How the EHLO reply ends.</summary>
    public EhloReplyStyle EhloStyle { get; init; } = EhloReplyStyle.Standard;

    /// <summary>Answer EHLO with <see cref="RejectEhloReply"/> so clients fall back to HELO.</summary>
    public bool RejectEhlo { get; init; }

    /// <summary>The reply to EHLO when <see cref="RejectEhlo"/> is set (502 or 500 are the usual ones).</summary>
    public string RejectEhloReply { get; init; } = "502 5.5.2 Error: command not recognized";

    /// <summary>Additional EHLO keyword lines (e.g. <c>"XCLIENT NAME ADDR"</c>), advertised after the built-in ones.</summary>
    public IReadOnlyList<string> AdditionalExtensions { get; init; } = [];

    /// <summary>Recipients that get 550 5.1.1 (compared case-insensitively).</summary>
    public IReadOnlyCollection<string> UnknownRecipients { get; init; } = [];

    /// <summary>Predicate for recipients that get 550 5.1.1, in addition to <see cref="UnknownRecipients"/>.</summary>
    public Func<string, bool>? IsUnknownRecipient { get; init; }

    /// <summary>Recipient domains an unauthenticated client may not relay to: 554 5.7.1 Relay access denied.</summary>
    public IReadOnlyCollection<string> RelayDeniedDomains { get; init; } = [];

    /// <summary>
    /// Keep received messages, command logs and sessions in memory. Turn off for benchmarks: counters still work,
    /// and content is counted but not stored.
    /// </summary>
    public bool Record { get; init; } = true;

    /// <summary>Longest command line accepted (without CRLF); longer lines get 500 5.5.2 Error: line too long.</summary>
    public int MaxCommandLineLength { get; init; } = 2048;

    /// <summary>A session waiting longer than this for the client gets 421 4.4.2 and is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most simultaneous sessions; beyond it a new connection gets 421 4.7.0 and is closed. Null = unlimited.</summary>
    public int? MaxConcurrentSessions { get; init; }

    /// <summary>
    /// Shown every accepted message (envelope and content) before the 250 reply, recording or not: integrity checks
    /// and capture to a file by <c>mailactors sink</c>. The reply waits for them, so a slow inspector slows the server
    /// down instead of piling up memory.
    /// </summary>
    public IReadOnlyList<IMessageInspector> Inspectors { get; init; } = [];

    /// <summary>Fault rules the server starts with; more can be added at runtime through <see cref="SmtpTestServer.Faults"/>.</summary>
    public IReadOnlyList<FaultRule> Faults { get; init; } = [];
}
