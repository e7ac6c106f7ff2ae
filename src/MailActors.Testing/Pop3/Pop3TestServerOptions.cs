using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing;

/// <summary>
/// Configuration of a <see cref="Pop3TestServer"/>. The defaults give a POP3 server on an ephemeral loopback port with
/// USER/PASS, APOP, STLS, TOP, UIDL, PIPELINING, RESP-CODES and AUTH-RESP-CODE, no SASL mechanisms, and LAST.
/// </summary>
public sealed record Pop3TestServerOptions : ITestServerOptions
{
    /// <summary>Address to listen on: <see cref="IPAddress.Loopback"/> by default, <see cref="IPAddress.IPv6Loopback"/> for ::1.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port to listen on; 0 (the default) picks a free ephemeral port.</summary>
    public int Port { get; init; }

    /// <summary>Listen backlog.</summary>
    public int Backlog { get; init; } = 1024;

    /// <summary>Host name used in the APOP timestamp and CRAM-MD5 challenges.</summary>
    public string ServerName { get; init; } = "localhost";

    /// <summary>Text of the <c>+OK</c> greeting (the APOP timestamp is appended when <see cref="Apop"/> is on).</summary>
    public string Greeting { get; init; } = "MailActors POP3 test server ready.";

    /// <summary>User name to plaintext password table for USER/PASS, APOP and AUTH.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>Each user's maildrop. A user who logs in without one gets a new empty mailbox (see <see cref="Pop3TestServer.GetMailbox"/>).</summary>
    public IReadOnlyDictionary<string, Pop3Mailbox> Mailboxes { get; init; } = new Dictionary<string, Pop3Mailbox>();

    /// <summary>Accept USER/PASS (and advertise USER).</summary>
    public bool UserPass { get; init; } = true;

    /// <summary>Put a <c>&lt;random.time@host&gt;</c> timestamp in the greeting and accept APOP.</summary>
    public bool Apop { get; init; } = true;

    /// <summary>SASL mechanisms advertised in CAPA (<c>SASL ...</c>) and accepted by AUTH (see <see cref="SaslMechanisms"/>).</summary>
    public IReadOnlyList<string> AuthMechanisms { get; init; } = [];

    /// <summary>Refuse every login (USER, APOP, AUTH) before STLS: <c>-ERR [AUTH]</c>.</summary>
    public bool RequireTlsForAuth { get; init; }

    /// <summary>Advertise and perform STLS (RFC 2595).</summary>
    public bool StartTls { get; init; } = true;

    /// <summary>Wrap every connection in TLS before the greeting (port-995 style).</summary>
    public bool ImplicitTls { get; init; }

    /// <summary>Certificate to serve; null uses <see cref="TestCertificates.Localhost"/>.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>TLS versions to allow; <see cref="SslProtocols.None"/> lets the operating system choose.</summary>
    public SslProtocols TlsProtocols { get; init; } = SslProtocols.None;

    /// <summary>Advertise and accept TOP.</summary>
    public bool Top { get; init; } = true;

    /// <summary>Advertise and accept UIDL.</summary>
    public bool Uidl { get; init; } = true;

    /// <summary>Accept the obsolete LAST command (RFC 1460).</summary>
    public bool Last { get; init; } = true;

    /// <summary>Advertise PIPELINING (replies are batched either way).</summary>
    public bool Pipelining { get; init; } = true;

    /// <summary>Advertise RESP-CODES and put <c>[IN-USE]</c>-style codes in <c>-ERR</c> replies (RFC 2449).</summary>
    public bool RespCodes { get; init; } = true;

    /// <summary>Advertise AUTH-RESP-CODE and use <c>[AUTH]</c> on credential failures (RFC 3206).</summary>
    public bool AuthRespCode { get; init; } = true;

    /// <summary>Advertise and accept <c>UTF8</c> (RFC 6856), before login only.</summary>
    public bool Utf8 { get; init; }

    /// <summary>With <see cref="Utf8"/>: advertise <c>UTF8 USER</c> and accept non-ASCII user names once UTF8 is on
    /// (otherwise USER refuses them).</summary>
    public bool Utf8User { get; init; }

    /// <summary>The languages <c>LANG</c> lists, as <c>tag description</c> lines, the first being the default (RFC 6856).
    /// Empty = LANG neither advertised nor accepted.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>Advertise <c>LOGIN-DELAY n</c> (seconds; advertised only, not enforced). Null = not advertised.</summary>
    public int? LoginDelay { get; init; }

    /// <summary>Advertise <c>EXPIRE value</c> (e.g. "NEVER" or a number of days). Null = not advertised.</summary>
    public string? Expire { get; init; }

    /// <summary>Advertise <c>IMPLEMENTATION text</c>. Null = not advertised.</summary>
    public string? Implementation { get; init; }

    /// <summary>Longest command line accepted (without CRLF); longer lines get <c>-ERR</c>.</summary>
    public int MaxCommandLineLength { get; init; } = 2048;

    /// <summary>A session waiting longer than this for the client is closed (with <c>-ERR</c>).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Keep the command log and sessions in memory. Counters work either way.</summary>
    public bool Record { get; init; } = true;

    /// <summary>Fault rules the server starts with; more can be added at runtime through <see cref="Pop3TestServer.Faults"/>.</summary>
    public IReadOnlyList<FaultRule> Faults { get; init; } = [];
}
