using Akka.Configuration;
using MailActors.Configuration;
using MailActors.Delivery;

namespace MailActors.Outbox;

/// <summary>The outbox settings in effect for one route: what <see cref="OutboxOptions.ForRoute"/> resolves.</summary>
/// <param name="Retry">The route's retry policy.</param>
/// <param name="MaxMessageSize">Largest message the route takes (the server's SIZE limit, if known).</param>
public sealed record RouteOutboxOptions(RetryPolicy Retry, long MaxMessageSize);

/// <summary>
/// What a route sets for the outbox (<c>mailactors.routes.NAME.outbox { ... }</c>): only the keys it names. Null members
/// follow <see cref="OutboxOptions.Retry"/> and <see cref="OutboxOptions.MaxMessageSize"/> as they are when the route is
/// looked up, not as they were when the configuration was read.
/// </summary>
/// <param name="Retry">The retry keys the route sets.</param>
/// <param name="MaxMessageSize">Largest message the route takes (the server's SIZE limit, if known).</param>
public sealed record RouteOutboxOverride(RouteRetryOverride? Retry = null, long? MaxMessageSize = null);

/// <summary>
/// The outbox's knobs; <see cref="FromConfig"/> reads them from <c>mailactors.outbox</c> (defaults in
/// <c>hocon/outbox.conf</c>). See that file for what each one does.
/// </summary>
public sealed record OutboxOptions
{
    /// <summary>Partitions (persistent actors); fixed for a store once created.</summary>
    public int Partitions { get; init; } = 4;

    /// <summary>
    /// Messages handed to the delivery engine and not yet journaled as finished, over all partitions (the duplicate
    /// bound after a crash). It is shared out between the partitions, each getting at least one.
    /// </summary>
    public int InFlight { get; init; } = 1000;

    /// <summary>
    /// Most octets unfinished messages may hold in memory, each counted as its content plus about 2 KB of state; an
    /// enqueue that would exceed it waits until deliveries make room (backpressure). A call whose messages together are
    /// larger than this is let in as soon as less than this is held, so the bound is exceeded by at most that call.
    /// Contents evicted during a long deferral (<see cref="DeferredContentInMemoryWithin"/>) count only as their state.
    /// </summary>
    public long MaxUnfinishedBytes { get; init; } = 1L << 30;

    /// <summary>
    /// A deferred message whose next attempt is further away than this keeps only its state in memory: its content stays
    /// in its journal row and is read back when the attempt is due, so a destination that is down for hours fills the
    /// store rather than the memory bound. <see cref="TimeSpan.MaxValue"/> (HOCON <c>infinite</c>) keeps every content in memory.
    /// </summary>
    public TimeSpan DeferredContentInMemoryWithin { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most events in one journal write of a partition.</summary>
    public int MaxWriteBatch { get; init; } = 2000;

    /// <summary>Most octets (roughly: contents plus a little per event) in one journal write of a partition.</summary>
    public long MaxWriteBatchBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>Fewest events between snapshots.</summary>
    public int SnapshotMinEvents { get; init; } = 1000;

    /// <summary>Fewest journal octets between snapshots (each snapshot has a fixed cost: a save, a cleanup, a sort of the state).</summary>
    public long SnapshotMinBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>Journal bytes since the last snapshot, relative to the state's size, that trigger the next snapshot.</summary>
    public double SnapshotCostRatio { get; init; } = 2;

    /// <summary>A partition with nothing unfinished snapshots after being idle this long; <see cref="TimeSpan.MaxValue"/> (HOCON <c>infinite</c>) never.</summary>
    public TimeSpan SnapshotIdleAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Finished messages whose status stays queryable, per partition.</summary>
    public int StatusRetention { get; init; } = 1000;

    /// <summary>The default retry policy.</summary>
    public RetryPolicy Retry { get; init; } = new();

    /// <summary>
    /// Largest message accepted by default, in octets as transmitted with DATA (<see cref="Smtp.MessageContent.TransmittedLength"/>:
    /// line endings as CRLF, which content with bare LF or CR grows to, and the CRLF DATA adds to unterminated content),
    /// the size the session checks against the server's SIZE limit; a stream is refused by its declared length before it
    /// is read and by the size of what it gave once read. Checked at enqueue, before anything is journaled.
    /// </summary>
    public long MaxMessageSize { get; init; } = 25L * 1024 * 1024;

    /// <summary>
    /// Per-route overrides by route name (give the dictionary a case-insensitive comparer: route names are). Resolved
    /// against <see cref="Retry"/> and <see cref="MaxMessageSize"/> by <see cref="ForRoute"/>.
    /// </summary>
    public IReadOnlyDictionary<string, RouteOutboxOverride> Routes { get; init; } = new Dictionary<string, RouteOutboxOverride>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often the stuck-message sweep runs; <see cref="TimeSpan.MaxValue"/> (HOCON <c>infinite</c>) turns it off.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How overdue a next attempt must be before the sweep re-drives it.</summary>
    public TimeSpan SweepGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An attempt without an outcome for this long is considered lost and re-driven; <see cref="TimeSpan.MaxValue"/> (HOCON <c>infinite</c>) never is.</summary>
    public TimeSpan InFlightTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Put hard-bounced addresses on the suppression list.</summary>
    public bool SuppressHardBounces { get; init; } = true;

    /// <summary>Send RFC 3464 DSNs to the envelope sender for bounced and expired recipients.</summary>
    public bool GenerateDsn { get; init; }

    /// <summary>Reporting-MTA in generated DSNs.</summary>
    public string DsnReportingMta { get; init; } = "mailactors.localdomain";

    /// <summary>Prefix of the persistence ids.</summary>
    public string PersistenceIdPrefix { get; init; } = "mailactors-outbox";

    /// <summary>Read-only: recover and answer status queries, but deliver nothing and write nothing (for <c>mailactors status</c>).</summary>
    public bool Passive { get; init; }

    /// <summary>The clock (tests may move it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// The retry policy and size limit for <paramref name="route"/>: its override's members over this instance's
    /// <see cref="Retry"/> and <see cref="MaxMessageSize"/> (those alone for a route without an override, or null).
    /// </summary>
    public RouteOutboxOptions ForRoute(string? route) =>
        route is not null && Routes.TryGetValue(route, out var own)
            ? new RouteOutboxOptions(Retry.With(own.Retry), own.MaxMessageSize ?? MaxMessageSize)
            : new RouteOutboxOptions(Retry, MaxMessageSize);

    /// <summary>
    /// Reads <c>mailactors.outbox</c> and each route's <c>mailactors.routes.NAME.outbox</c> block from
    /// <paramref name="config"/>, falling back to the embedded <c>outbox.conf</c>.
    /// </summary>
    public static OutboxOptions FromConfig(Config? config = null)
    {
        var merged = config is null ? OutboxConfig.Default : config.WithFallback(OutboxConfig.Default);
        var outbox = merged.GetConfig("mailactors.outbox");
        var retry = RetryPolicy.FromConfig(outbox.GetConfig("retry"), null, "mailactors.outbox.retry");
        var maxSize = outbox.GetByteSize("max-message-size") ?? 25L * 1024 * 1024;
        var routes = new Dictionary<string, RouteOutboxOverride>(StringComparer.OrdinalIgnoreCase);
        if (merged.HasPath("mailactors.routes"))
        {
            foreach (var name in merged.GetConfig("mailactors.routes").Root.GetObject().Unwrapped.Keys)
            {
                var own = merged.GetConfig($"mailactors.routes.{name}.outbox");
                if (own is null || own.IsEmpty)
                {
                    continue;
                }
                // Only what the block names: the rest is resolved by ForRoute from the outbox's settings of the moment,
                // which a caller may still change (the CLI's --max-age does).
                routes[name] = new RouteOutboxOverride(
                    RouteRetryOverride.FromConfig(own.HasPath("retry") ? own.GetConfig("retry") : null, $"mailactors.routes.{name}.outbox.retry"),
                    own.GetByteSize("max-message-size"));
            }
        }
        return new OutboxOptions
        {
            Partitions = outbox.GetInt("partitions", 4),
            InFlight = outbox.GetInt("in-flight", 1000),
            MaxUnfinishedBytes = outbox.GetByteSize("max-unfinished-bytes") ?? 1L << 30,
            DeferredContentInMemoryWithin = Duration(outbox, "deferred-content-in-memory-within", TimeSpan.FromSeconds(30)),
            MaxWriteBatch = outbox.GetInt("max-write-batch", 2000),
            MaxWriteBatchBytes = outbox.GetByteSize("max-write-batch-bytes") ?? 8L * 1024 * 1024,
            SnapshotMinEvents = outbox.GetInt("snapshot-min-events", 1000),
            SnapshotMinBytes = outbox.GetByteSize("snapshot-min-bytes") ?? 8L * 1024 * 1024,
            SnapshotCostRatio = outbox.GetDouble("snapshot-cost-ratio", 2),
            SnapshotIdleAfter = Duration(outbox, "snapshot-idle-after", TimeSpan.FromSeconds(2)),
            StatusRetention = outbox.GetInt("status-retention", 1000),
            Retry = retry,
            MaxMessageSize = maxSize,
            Routes = routes,
            SweepInterval = Duration(outbox, "sweep-interval", TimeSpan.FromSeconds(30)),
            SweepGrace = Duration(outbox, "sweep-grace", TimeSpan.FromSeconds(5)),
            InFlightTimeout = Duration(outbox, "in-flight-timeout", TimeSpan.FromMinutes(15)),
            SuppressHardBounces = outbox.GetBoolean("suppress-hard-bounces", true),
            GenerateDsn = outbox.GetBoolean("generate-dsn", false),
            DsnReportingMta = outbox.GetString("dsn-reporting-mta", "mailactors.localdomain"),
            PersistenceIdPrefix = outbox.GetString("persistence-id-prefix", "mailactors-outbox"),
        };
    }

    private static TimeSpan Duration(Config outbox, string path, TimeSpan fallback) => HoconDurations.Read(outbox, path, fallback, "mailactors.outbox");
}

/// <summary>The outbox's durations as HOCON gives them.</summary>
internal static class HoconDurations
{
    /// <summary>
    /// <paramref name="path"/> in <paramref name="config"/>, <see cref="TimeSpan.MaxValue"/> for <c>infinite</c>.
    /// Akka reads <c>infinite</c> as -1 ms, which every deadline and age comparison would take for "already past"
    /// (an infinite max-age expired recipients at their first attempt); "never" is a span nothing reaches.
    /// </summary>
    /// <exception cref="ConfigurationException">The duration is not one, or is negative (other than <c>infinite</c>).</exception>
    public static TimeSpan Read(Config config, string path, TimeSpan fallback, string where)
    {
        // Decided on the text: Akka gives -1 ms both for "infinite" and for a written "-1ms", which must be refused.
        if (config.HasPath(path) && string.Equals(config.GetString(path)?.Trim(), "infinite", StringComparison.OrdinalIgnoreCase))
        {
            return TimeSpan.MaxValue;
        }
        TimeSpan span;
        try
        {
            span = config.GetTimeSpan(path, fallback, allowInfinite: true);
        }
        catch (FormatException e)
        {
            // Akka's own message names the text but not the key (and is all a negative duration such as -5s gets).
            throw new ConfigurationException($"{where}.{path} = {config.GetString(path)} is not a duration of zero or more, nor infinite.", e);
        }
        if (span < TimeSpan.Zero)
        {
            throw new ConfigurationException($"{where}.{path} = {config.GetString(path)} is negative: give a duration of zero or more, or infinite.");
        }
        return span;
    }
}

/// <summary>The outbox's built-in configuration: <c>hocon/outbox.conf</c> over <c>hocon/mailactors.conf</c>.</summary>
public static class OutboxConfig
{
    private static readonly Lazy<Config> Embedded = new(() => ConfigurationFactory.ParseString(ReadResource("outbox.conf")).WithFallback(MailActorsConfig.Default));

    /// <summary>The defaults.</summary>
    public static Config Default => Embedded.Value;

    /// <summary>An embedded HOCON file of this assembly (<c>outbox.conf</c>, <c>persistence-sqlite.conf</c>, <c>persistence-postgres.conf</c>).</summary>
    internal static string ReadResource(string name)
    {
        using var stream = typeof(OutboxConfig).Assembly.GetManifestResourceStream("MailActors.Outbox." + name)
            ?? throw new InvalidOperationException($"The embedded {name} is missing from the MailActors.Outbox assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
