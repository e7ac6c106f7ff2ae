using System.Diagnostics;
using System.Diagnostics.Metrics;
using MailActors.Diagnostics;

namespace MailActors.Tests.Support;

/// <summary>
/// Records the spans and measurements of the routes whose names start with a prefix. Listeners are process-wide and
/// tests run in parallel, so everything is filtered by route name.
/// </summary>
public sealed class RouteTelemetry : IDisposable
{
    private readonly string _routePrefix;
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private readonly List<Activity> _started = [];
    private readonly List<Activity> _stopped = [];
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public RouteTelemetry(string routePrefix)
    {
        _routePrefix = routePrefix;
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MailActorsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // The route tag is set after the start callback, so spans are matched by route when they are read.
            ActivityStarted = activity => { lock (_started) { _started.Add(activity); } },
            ActivityStopped = activity => { lock (_started) { _stopped.Add(activity); } },
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MailActorsTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _meters.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _meters.Start();
    }

    /// <summary>Spans started for the routes, in start order.</summary>
    public IReadOnlyList<Activity> Started => Mine(_started);

    /// <summary>Spans of the routes that have ended.</summary>
    public IReadOnlyList<Activity> Stopped => Mine(_stopped);

    /// <summary>The sum of an instrument's measurements whose tags include every one given.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] tags)
    {
        lock (_measurements)
        {
            return _measurements
                .Where(m => m.Instrument == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
                .Sum(m => m.Value);
        }
    }

    private List<Activity> Mine(List<Activity> activities)
    {
        lock (_started)
        {
            return activities.Where(a => a.GetTagItem("mailactors.route") is string route && route.StartsWith(_routePrefix, StringComparison.Ordinal)).ToList();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }
        if (dictionary.GetValueOrDefault("route") is string route && route.StartsWith(_routePrefix, StringComparison.Ordinal))
        {
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, value, dictionary));
            }
        }
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }
}
