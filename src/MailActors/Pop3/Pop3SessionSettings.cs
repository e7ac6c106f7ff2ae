using MailActors.Diagnostics;
using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Transport;

namespace MailActors.Pop3;

/// <summary>
/// Everything one POP3 session needs: where to connect, TLS and login policy, timeouts and limits. Defaults come from
/// <c>mailactors.pop3</c> in <c>hocon/mailactors.conf</c> (see <see cref="FromConfig"/>).
/// </summary>
public sealed record Pop3SessionSettings
{
    /// <summary>Hosts tried in turn, port, local binding, address family, connect timeout, TLS validation.</summary>
    public required ConnectionSpec Connection { get; init; }

    /// <summary>When to encrypt: <see cref="TlsMode.Implicit"/> is POP3S (995); the STLS modes upgrade right after CAPA.</summary>
    public TlsMode TlsMode { get; init; } = TlsMode.None;

    /// <summary>Log in during <c>Connect</c> when set (after STLS, if any).</summary>
    public SaslCredentials? Credentials { get; init; }

    /// <summary>How to log in during <c>Connect</c>.</summary>
    public Pop3LoginMethod LoginMethod { get; init; } = Pop3LoginMethod.Auto;

    /// <summary>Lets credentials (PASS, APOP, AUTH) cross an unencrypted connection. Off by default; only for loopback tests or trusted links.</summary>
    public bool AllowCleartextAuthentication { get; init; }

    /// <summary>Ask CAPA right after the greeting (and again after STLS), so capabilities are known before login.</summary>
    public bool RequestCapabilities { get; init; } = true;

    /// <summary>Send UTF8 (RFC 6856) during <c>Connect</c>, before logging in, when CAPA lists it: the maildrop may then hold
    /// UTF-8 messages, and the login may use a UTF-8 name and password when CAPA says <c>UTF8 USER</c>.</summary>
    public bool UseUtf8 { get; init; }

    /// <summary>
    /// Longest wait for a status line, whole (timed from the first wait for it, so a server cannot stretch it by
    /// sending it a few bytes at a time), and then for the next bytes of a multi-line body: a long RETR that keeps
    /// delivering never times out. Also the longest a write may make no progress (Net::POP3 <c>Timeout</c>, default
    /// 120 s).
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Send batches of RETR/DELE in one write when the server advertises PIPELINING.</summary>
    public bool UsePipelining { get; init; } = true;

    /// <summary>Limits on status lines and multi-line responses; exceeding one ends the session with a protocol error.</summary>
    public Pop3ParserOptions ResponseLimits { get; init; } = Pop3ParserOptions.Default;

    /// <summary>Where the <c>C:</c>/<c>S:</c> transcript goes (Net::POP3 <c>Debug</c>); null for none. PASS, APOP and AUTH are redacted.</summary>
    public ITranscript? Transcript { get; init; }

    /// <summary>Settings from <c>mailactors.pop3</c> for the given hosts, with the configured defaults.</summary>
    public static Pop3SessionSettings FromConfig(Akka.Configuration.Config config, IReadOnlyList<ServerAddress> hosts)
    {
        ArgumentNullException.ThrowIfNull(config);
        var pop3 = config.GetConfig("mailactors.pop3");
        var tls = TlsModes.Parse(pop3.GetString("tls", "none"));
        var port = pop3.GetInt("port", 0);
        return new Pop3SessionSettings
        {
            Connection = new ConnectionSpec
            {
                Hosts = hosts,
                DefaultPort = port > 0 ? port : tls == TlsMode.Implicit ? 995 : 110,
                ConnectTimeout = pop3.GetTimeSpan("connect-timeout", TimeSpan.FromSeconds(30)),
                ImplicitTls = tls == TlsMode.Implicit,
                Family = ConnectionSpec.ParseFamily(pop3.GetString("family", "any")),
            },
            TlsMode = tls,
            LoginMethod = Enum.Parse<Pop3LoginMethod>(pop3.GetString("login-method", "auto").Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
            AllowCleartextAuthentication = pop3.GetBoolean("allow-cleartext-auth", false),
            RequestCapabilities = pop3.GetBoolean("request-capabilities", true),
            UseUtf8 = pop3.GetBoolean("utf8", false),
            CommandTimeout = pop3.GetTimeSpan("command-timeout", TimeSpan.FromSeconds(120)),
            UsePipelining = pop3.GetBoolean("pipelining", true),
            ResponseLimits = new Pop3ParserOptions
            {
                MaxLineLength = pop3.GetInt("max-line-length", 8192),
                MaxContentLineLength = (int)(pop3.GetByteSize("max-content-line-length") ?? 1024 * 1024),
                MaxResponseBytes = pop3.GetByteSize("max-response-size") ?? 256L * 1024 * 1024,
                MaxListingBytes = pop3.GetByteSize("max-listing-size") ?? 256L * 1024 * 1024,
            },
        };
    }
}
