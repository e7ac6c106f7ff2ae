using Akka.Configuration;
using MailActors.Protocol.Sasl;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Delivery;

/// <summary>
/// One destination (a smarthost or a pool of equivalent hosts) and how hard to push it. Set in HOCON under
/// <c>mailactors.routes.NAME</c> or in code; see <c>hocon/mailactors.conf</c> for every knob and its default.
/// </summary>
public sealed record RouteOptions
{
    /// <summary>The route's name (used in reports, metrics and actor names).</summary>
    public required string Name { get; init; }

    /// <summary>How each session connects and speaks (hosts, port, TLS, credentials, timeouts, pipelining...).</summary>
    public required SmtpSessionSettings Session { get; init; }

    /// <summary>Recipient domains this route carries (exact, case-insensitive; <c>*.example.com</c> matches subdomains).</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>Most sessions open at once.</summary>
    public int MaxSessions { get; init; } = 10;

    /// <summary>Messages one session sends before it is closed and replaced.</summary>
    public int MaxMessagesPerSession { get; init; } = 1000;

    /// <summary>A session idle this long is closed with QUIT.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A session idle this long is checked with NOOP before it gets more work.</summary>
    public TimeSpan NoopAfterIdle { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages per second over the whole route (token bucket); null = unlimited.</summary>
    public double? MaxMessageRate { get; init; }

    /// <summary>New connections per second (token bucket); null = unlimited.</summary>
    public double? MaxConnectionRate { get; init; }

    /// <summary>Messages accepted and waiting for a session before <see cref="Mailer.SendAsync"/> waits (the bounded buffer).</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>Transactions tried for a recipient before it is reported deferred (transient failures only).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>First retry delay; doubled each attempt, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before reconnecting after a failed connect; doubled each failure, up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive connection failures that open the circuit.</summary>
    public int CircuitFailureThreshold { get; init; } = 5;

    /// <summary>How long an open circuit stays open before one trial connection (half-open).</summary>
    public TimeSpan CircuitOpenDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long concurrency and rate stay lowered after a 421 or a rate-limit reply before recovery starts.</summary>
    public TimeSpan ThrottleDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Recovery step after throttling: one more session (and a quarter more rate) per interval.</summary>
    public TimeSpan ThrottleRecoveryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether this route carries mail for <paramref name="domain"/>.</summary>
    public bool Serves(string domain)
    {
        foreach (var pattern in Domains)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal)
                ? domain.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
                : domain.Equals(pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Reads <c>mailactors.routes.NAME</c>, with session settings from <c>mailactors.smtp</c> overridden by the route's own.</summary>
    public static RouteOptions FromConfig(Config config, string name)
    {
        ArgumentNullException.ThrowIfNull(config);
        var route = config.GetConfig($"mailactors.routes.{name}")
            ?? throw new ArgumentException($"No route '{name}' under mailactors.routes.", nameof(name));
        var merged = config.HasPath("mailactors.route-defaults") ? route.WithFallback(config.GetConfig("mailactors.route-defaults")) : route;
        var hosts = merged.GetStringList("hosts").Select(ServerAddress.Parse).ToArray();
        if (hosts.Length == 0)
        {
            throw new ArgumentException($"Route '{name}' has no hosts.", nameof(name));
        }
        // Session knobs: the route's own "smtp" block over mailactors.smtp.
        var globalSmtp = config.GetConfig("mailactors.smtp");
        var smtp = merged.HasPath("smtp") ? merged.GetConfig("smtp").WithFallback(globalSmtp) : globalSmtp;
        var session = SmtpSessionSettings.FromSmtpSection(smtp, hosts);
        var user = merged.GetString("user", null);
        if (user is not null)
        {
            var variable = merged.GetString("password-env", null)
                ?? throw new ArgumentException($"Route '{name}' names a user but no password-env.", nameof(name));
            var password = Environment.GetEnvironmentVariable(variable)
                ?? throw new ArgumentException($"Route '{name}': the environment variable {variable} is not set.", nameof(name));
            session = session with { Credentials = new SaslCredentials(user, password) };
        }
        return new RouteOptions
        {
            Name = name,
            Session = session,
            Domains = merged.HasPath("domains") ? merged.GetStringList("domains").ToArray() : [],
            MaxSessions = merged.GetInt("max-sessions", 10),
            MaxMessagesPerSession = merged.GetInt("max-messages-per-session", 1000),
            IdleTimeout = merged.GetTimeSpan("idle-timeout", TimeSpan.FromSeconds(30)),
            NoopAfterIdle = merged.GetTimeSpan("noop-after-idle", TimeSpan.FromSeconds(10)),
            MaxMessageRate = Rate(merged, "max-message-rate"),
            MaxConnectionRate = Rate(merged, "max-connection-rate"),
            QueueCapacity = merged.GetInt("queue-capacity", 1000),
            MaxAttempts = merged.GetInt("max-attempts", 3),
            RetryBaseDelay = merged.GetTimeSpan("retry-base-delay", TimeSpan.FromSeconds(1)),
            RetryMaxDelay = merged.GetTimeSpan("retry-max-delay", TimeSpan.FromSeconds(30)),
            ReconnectBaseDelay = merged.GetTimeSpan("reconnect-base-delay", TimeSpan.FromMilliseconds(200)),
            ReconnectMaxDelay = merged.GetTimeSpan("reconnect-max-delay", TimeSpan.FromSeconds(30)),
            CircuitFailureThreshold = merged.GetInt("circuit-failure-threshold", 5),
            CircuitOpenDuration = merged.GetTimeSpan("circuit-open-duration", TimeSpan.FromSeconds(30)),
            ThrottleDuration = merged.GetTimeSpan("throttle-duration", TimeSpan.FromSeconds(30)),
            ThrottleRecoveryInterval = merged.GetTimeSpan("throttle-recovery-interval", TimeSpan.FromSeconds(5)),
        };
    }

    private static double? Rate(Config config, string key)
    {
        var text = config.GetString(key, "unlimited");
        return text is "unlimited" or "off" or "0"
            ? null
            : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
