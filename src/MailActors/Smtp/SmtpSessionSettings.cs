using MailActors.Diagnostics;
using MailActors.Protocol.Sasl;
using MailActors.Protocol.Smtp;
using MailActors.Transport;

namespace MailActors.Smtp;

/// <summary>
/// Everything one SMTP session needs: where to connect, how to greet, TLS and authentication policy, timeouts and
/// limits. Defaults come from <c>mailactors.smtp</c> in <c>hocon/mailactors.conf</c> (see <see cref="FromConfig"/>).
/// </summary>
public sealed record SmtpSessionSettings
{
    /// <summary>Hosts tried in turn, port, local binding, address family, connect timeout, TLS validation.</summary>
    public required ConnectionSpec Connection { get; init; }

    /// <summary>When to encrypt. Implicit TLS must agree with <see cref="ConnectionSpec.ImplicitTls"/>.</summary>
    public TlsMode TlsMode { get; init; } = TlsMode.None;

    /// <summary>The domain sent with EHLO/HELO (Net::SMTP <c>Hello</c>).</summary>
    public string HelloDomain { get; init; } = "localhost.localdomain";

    /// <summary>Send EHLO (falling back to HELO on a 5xx) right after the greeting (Net::SMTP <c>SendHello</c>).</summary>
    public bool SendHello { get; init; } = true;

    /// <summary>
    /// Authenticate during <c>Connect</c> when set (after STARTTLS, if any), or during the first <c>Hello</c> when
    /// <see cref="SendHello"/> is off.
    /// </summary>
    public SaslCredentials? Credentials { get; init; }

    /// <summary>The SASL mechanism for <see cref="Credentials"/>; null = the strongest the server offers.</summary>
    public string? AuthMechanism { get; init; }

    /// <summary>Lets credentials cross an unencrypted connection. Off by default; only for loopback tests or trusted links.</summary>
    public bool AllowCleartextAuthentication { get; init; }

    /// <summary>
    /// Longest wait for any one reply, whole: timed from the first wait for it to its last line, so a server that sends
    /// a multi-line reply a line at a time cannot stretch it (RFC 5321 §4.5.3.2 times each command's reply). Also the
    /// longest a write may make no progress (Net::SMTP <c>Timeout</c>, default 120 s).
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Deadline for a whole pipelined transaction (MAIL to the final reply after the content).</summary>
    public TimeSpan TransactionTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Addresses must already be RFC 5321 paths; no extraction from <c>Name &lt;addr&gt;</c> (Net::SMTP <c>ExactAddresses</c>).</summary>
    public bool ExactAddresses { get; init; }

    /// <summary>Use PIPELINING when the server offers it.</summary>
    public bool UsePipelining { get; init; } = true;

    /// <summary>Prefer BDAT over DATA when the server offers CHUNKING (binary content always uses BDAT).</summary>
    public bool PreferChunking { get; init; }

    /// <summary>Largest BDAT chunk.</summary>
    public int ChunkSize { get; init; } = 256 * 1024;

    /// <summary>Limits on server replies; exceeding one ends the session with a protocol error.</summary>
    public SmtpReplyParserOptions ReplyLimits { get; init; } = new();

    /// <summary>Where the <c>C:</c>/<c>S:</c> transcript goes (Net::SMTP <c>Debug</c>); null for none.</summary>
    public ITranscript? Transcript { get; init; }

    /// <summary>Told the duration of every protocol step (metrics, load reports); null for none.</summary>
    public ISessionObserver? Observer { get; init; }

    /// <summary>Settings from <c>mailactors.smtp</c> for the given hosts, with the configured defaults.</summary>
    public static SmtpSessionSettings FromConfig(Akka.Configuration.Config config, IReadOnlyList<ServerAddress> hosts)
    {
        ArgumentNullException.ThrowIfNull(config);
        return FromSmtpSection(config.GetConfig("mailactors.smtp"), hosts);
    }

    /// <summary>Settings from a section shaped like <c>mailactors.smtp</c> (a route's own <c>smtp</c> block, say).</summary>
    public static SmtpSessionSettings FromSmtpSection(Akka.Configuration.Config smtp, IReadOnlyList<ServerAddress> hosts)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        var tls = ParseTlsMode(smtp.GetString("tls", "none"));
        var port = smtp.GetInt("port", 0);
        return new SmtpSessionSettings
        {
            Connection = new ConnectionSpec
            {
                Hosts = hosts,
                DefaultPort = port > 0 ? port : tls == TlsMode.Implicit ? 465 : 25,
                ConnectTimeout = smtp.GetTimeSpan("connect-timeout", TimeSpan.FromSeconds(30)),
                ImplicitTls = tls == TlsMode.Implicit,
                Family = ConnectionSpec.ParseFamily(smtp.GetString("family", "any")),
            },
            TlsMode = tls,
            HelloDomain = smtp.GetString("hello", "localhost.localdomain"),
            SendHello = smtp.GetBoolean("send-hello", true),
            AllowCleartextAuthentication = smtp.GetBoolean("allow-cleartext-auth", false),
            AuthMechanism = smtp.GetString("auth-mechanism", null) is { Length: > 0 } mechanism ? mechanism : null,
            CommandTimeout = smtp.GetTimeSpan("command-timeout", TimeSpan.FromSeconds(120)),
            TransactionTimeout = smtp.GetTimeSpan("transaction-timeout", TimeSpan.FromMinutes(10)),
            ExactAddresses = smtp.GetBoolean("exact-addresses", false),
            UsePipelining = smtp.GetBoolean("pipelining", true),
            PreferChunking = smtp.GetBoolean("prefer-chunking", false),
            ChunkSize = (int)(smtp.GetByteSize("chunk-size") ?? 256 * 1024),
            ReplyLimits = new SmtpReplyParserOptions
            {
                MaxLineLength = smtp.GetInt("max-reply-line-length", 4096),
                MaxLines = smtp.GetInt("max-reply-lines", 512),
            },
        };
    }

    /// <summary>Parses <c>none</c>, <c>starttls</c>, <c>starttls-when-available</c> or <c>implicit</c> (see <see cref="TlsModes.Parse"/>).</summary>
    public static TlsMode ParseTlsMode(string value) => TlsModes.Parse(value);
}
