using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MailActors.Diagnostics;

/// <summary>
/// The engine's <see cref="System.Diagnostics.Metrics"/> instruments and its <see cref="ActivitySource"/>, all named
/// <c>mailactors.*</c>. Listen with <c>MeterListener</c>, OpenTelemetry (<c>AddMeter("MailActors")</c>,
/// <c>AddSource("MailActors")</c>) or <c>dotnet-counters monitor --counters MailActors</c>.
/// </summary>
public static class MailActorsTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "MailActors";

    /// <summary>The meter.</summary>
    public static Meter Meter { get; } = new(Name, typeof(MailActorsTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Spans: <c>mailactors.deliver</c>, one per message and route, each a child of the caller's current activity (so
    /// the spans of a message split over routes are siblings). Tagged with the message id, route, recipient count, and
    /// at the end <c>mailactors.outcome</c> (as <see cref="Messages"/>) and <c>mailactors.attempts</c>.
    /// </summary>
    public static ActivitySource ActivitySource { get; } = new(Name);

    /// <summary>
    /// Messages finished, tagged <c>route</c> and <c>outcome</c>: delivered, partial, deferred, failed, or aborted (the
    /// route stopped first and the caller got a <see cref="MailSessionClosedException"/> instead of a report).
    /// </summary>
    public static Counter<long> Messages { get; } = Meter.CreateCounter<long>("mailactors.messages", "{message}", "Messages the delivery engine finished, by outcome.");

    /// <summary>
    /// Recipients finished, tagged <c>route</c> and <c>outcome</c> (delivered, deferred, failed, or aborted: still
    /// without a final outcome when their route stopped; one settled by an earlier attempt keeps its own).
    /// </summary>
    public static Counter<long> Recipients { get; } = Meter.CreateCounter<long>("mailactors.recipients", "{recipient}", "Recipients the delivery engine finished, by outcome.");

    /// <summary>Content octets handed to servers that accepted them, tagged <c>route</c>.</summary>
    public static Counter<long> Bytes { get; } = Meter.CreateCounter<long>("mailactors.bytes", "By", "Message octets delivered.");

    /// <summary>SMTP sessions open now, tagged <c>route</c>.</summary>
    public static UpDownCounter<long> SessionsOpen { get; } = Meter.CreateUpDownCounter<long>("mailactors.sessions.open", "{session}", "SMTP sessions currently open.");

    /// <summary>Messages admitted but not yet handed to a session, tagged <c>route</c>.</summary>
    public static UpDownCounter<long> QueueDepth { get; } = Meter.CreateUpDownCounter<long>("mailactors.queue.depth", "{message}", "Messages waiting for a session.");

    /// <summary>Throttling events (421, rate-limit replies), tagged <c>route</c>.</summary>
    public static Counter<long> Throttles { get; } = Meter.CreateCounter<long>("mailactors.route.throttled", "{event}", "Times a route lowered its concurrency and rate.");

    /// <summary>Protocol step latency in seconds, tagged <c>step</c> (connect, tls, banner, EHLO, MAIL, RCPT, DATA, DOT...) and <c>route</c>.</summary>
    public static Histogram<double> StepDuration { get; } = Meter.CreateHistogram<double>("mailactors.smtp.step.duration", "s", "Duration of each SMTP protocol step.");

    /// <summary>Whole-delivery latency in seconds, from admission to the last outcome, tagged <c>route</c>.</summary>
    public static Histogram<double> DeliveryDuration { get; } = Meter.CreateHistogram<double>("mailactors.delivery.duration", "s", "Time from admission to the final outcome of a message.");
}

/// <summary>Feeds session step timings into <see cref="MailActorsTelemetry.StepDuration"/>.</summary>
public sealed class MetricsSessionObserver : ISessionObserver
{
    private readonly KeyValuePair<string, object?> _route;

    /// <summary>Creates an observer that tags every measurement with <paramref name="route"/>.</summary>
    public MetricsSessionObserver(string route) => _route = new("route", route);

    /// <inheritdoc />
    public void OnStep(string step, TimeSpan elapsed, int? replyCode)
    {
        if (MailActorsTelemetry.StepDuration.Enabled)
        {
            MailActorsTelemetry.StepDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("step", step), _route);
        }
    }
}
