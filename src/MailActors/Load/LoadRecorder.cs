using System.Collections.Concurrent;
using System.Diagnostics;
using MailActors.Diagnostics;

namespace MailActors.Load;

/// <summary>
/// Everything a load run measures. Protocol steps arrive from the session actors' threads (it is their
/// <see cref="ISessionObserver"/>) into one HdrHistogram per step, and every reply code is counted; whole messages,
/// connections and failures are recorded by the run's supervisor; <see cref="Tick"/> closes a one-second interval
/// of the timeline. Thread-safe; <see cref="Progress"/> can be read at any time for a live display.
/// </summary>
public sealed class LoadRecorder : ISessionObserver
{
    private readonly ConcurrentDictionary<string, LatencyHistogram> _steps = new(StringComparer.Ordinal);
    private readonly LatencyHistogram _messageLatency = new();
    private readonly long[] _repliesByCode = new long[600];
    private readonly ConcurrentDictionary<ErrorKey, long> _errors = new();
    private readonly object _timelineGate = new();
    private readonly List<SecondSample> _timeline = [];
    private long _start = Stopwatch.GetTimestamp();
    private long _lastTickSecond;
    private long _lastTickTimestamp;
    private long _attempted;
    private long _delivered;
    private long _failed;
    private long _bytes;
    private long _recipientsAccepted;
    private long _recipientsRefused;
    private long _connectionsOpened;
    private long _connectionsFailed;
    private long _sessionsActive;
    private long _peakSessions;
    private long _firstDispatch;
    private long _lastCompletion;
    private long _digestValid;
    private long _digestMissing;
    private long _digestMismatch;
    private volatile LoadProgress _progress = LoadProgress.Empty;

    // Per-second counters of the interval being filled (written by the supervisor only).
    private long _secondDelivered;
    private long _secondFailed;
    private long _secondBytes;

    /// <summary>The step names in the order a session goes through them, for reports.</summary>
    public static IReadOnlyList<string> StepOrder { get; } =
    [
        "connect", "tls", "banner", "EHLO", "HELO", "STARTTLS", "CAPA", "STLS", "AUTH", "USER", "PASS", "APOP",
        "MAIL", "RCPT", "DATA", "BDAT", "DOT", "STAT", "LIST", "UIDL", "TOP", "RETR", "DELE", "RSET", "NOOP", "QUIT",
    ];

    /// <summary>Stopwatch timestamp of the start of the run (all timeline seconds count from it).</summary>
    public long StartTimestamp => Interlocked.Read(ref _start);

    /// <summary>The latest live snapshot (refreshed every second by <see cref="Tick"/>).</summary>
    public LoadProgress Progress => _progress;

    /// <summary>Sessions connected right now.</summary>
    public long SessionsActive => Interlocked.Read(ref _sessionsActive);

    /// <summary>Messages that reached the server and were accepted so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Marks the start of the run.</summary>
    public void Start()
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _start, now);
        Interlocked.Exchange(ref _lastTickTimestamp, now);
    }

    /// <inheritdoc />
    public void OnStep(string step, TimeSpan elapsed, int? replyCode)
    {
        _steps.GetOrAdd(step, static _ => new LatencyHistogram()).Record(elapsed);
        if (replyCode is { } code and >= 100 and < 600)
        {
            Interlocked.Increment(ref _repliesByCode[code]);
            if (step == "RCPT")
            {
                Interlocked.Increment(ref code < 400 ? ref _recipientsAccepted : ref _recipientsRefused);
            }
            if (code >= 400)
            {
                Error(step, code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Counts one failure of <paramref name="phase"/>: a reply code (<c>451</c>) or a kind (<c>disconnect</c>, <c>timeout</c>).</summary>
    public void Error(string phase, string what) => _errors.AddOrUpdate(new ErrorKey(phase, what), 1, static (_, n) => n + 1);

    /// <summary>A message was handed to a session (or, open loop, given up unsent when the run stopped).</summary>
    /// <param name="due">Stopwatch timestamp the message was due: now in a closed loop, its scheduled time in an open
    /// loop (so the achieved rate is measured against the schedule, not against the first connect).</param>
    public void MessageStarted(long due)
    {
        Interlocked.Increment(ref _attempted);
        Interlocked.CompareExchange(ref _firstDispatch, due, 0);
    }

    /// <summary>A message ended: accepted (<paramref name="delivered"/>) or not.</summary>
    /// <param name="delivered">The server accepted it for at least one recipient.</param>
    /// <param name="bytes">Content octets of a delivered message.</param>
    /// <param name="latencyFrom">Stopwatch timestamp the latency counts from (dispatch, or the scheduled time in an open loop).</param>
    /// <remarks>Recipients are counted from the RCPT replies as they arrive, so a transaction cut off later still counts them.</remarks>
    public void MessageCompleted(bool delivered, long bytes, long latencyFrom)
    {
        var now = Stopwatch.GetTimestamp();
        _messageLatency.Record(Stopwatch.GetElapsedTime(latencyFrom, now));
        if (delivered)
        {
            Interlocked.Increment(ref _delivered);
            Interlocked.Add(ref _bytes, bytes);
            Interlocked.Increment(ref _secondDelivered);
            Interlocked.Add(ref _secondBytes, bytes);
        }
        else
        {
            Interlocked.Increment(ref _failed);
            Interlocked.Increment(ref _secondFailed);
        }
        Interlocked.Exchange(ref _lastCompletion, now);
    }

    /// <summary>A message retrieved by a reader was checked against its digest header.</summary>
    public void DigestChecked(Protocol.Integrity.ContentDigestStatus status)
    {
        switch (status)
        {
            case Protocol.Integrity.ContentDigestStatus.Valid:
                Interlocked.Increment(ref _digestValid);
                break;
            case Protocol.Integrity.ContentDigestStatus.Missing:
                Interlocked.Increment(ref _digestMissing);
                break;
            default:
                Interlocked.Increment(ref _digestMismatch);
                break;
        }
    }

    /// <summary>A connection was established (after greeting, TLS and AUTH as configured).</summary>
    public void SessionOpened()
    {
        Interlocked.Increment(ref _connectionsOpened);
        var active = Interlocked.Increment(ref _sessionsActive);
        long peak;
        while (active > (peak = Interlocked.Read(ref _peakSessions)) && Interlocked.CompareExchange(ref _peakSessions, active, peak) != peak)
        {
        }
    }

    /// <summary>An established connection ended.</summary>
    public void SessionClosed() => Interlocked.Decrement(ref _sessionsActive);

    /// <summary>A connection attempt failed.</summary>
    public void ConnectFailed() => Interlocked.Increment(ref _connectionsFailed);

    /// <summary>Closes the current one-second interval of the timeline and refreshes <see cref="Progress"/>.</summary>
    /// <param name="inFlight">Messages handed to sessions and not yet finished.</param>
    /// <param name="backlog">Open loop: messages due by the schedule but not yet handed to a session.</param>
    public void Tick(long inFlight = 0, long backlog = 0)
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(StartTimestamp, now);
        var interval = Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _lastTickTimestamp, now), now).TotalSeconds;
        var latency = _messageLatency.Harvest("message");
        var measured = latency.Count > 0;
        var sample = new SecondSample(
            Interlocked.Increment(ref _lastTickSecond),
            Interlocked.Exchange(ref _secondDelivered, 0),
            Interlocked.Exchange(ref _secondFailed, 0),
            Interlocked.Exchange(ref _secondBytes, 0),
            measured ? latency.P50 : null, measured ? latency.P99 : null, measured ? latency.Max : null,
            Math.Round(interval, 3));
        lock (_timelineGate)
        {
            _timeline.Add(sample);
        }
        foreach (var step in _steps.Values)
        {
            step.Harvest("");
        }
        _progress = new LoadProgress(
            elapsed, Interlocked.Read(ref _attempted), Delivered, Interlocked.Read(ref _failed), Interlocked.Read(ref _bytes),
            sample.Delivered, SessionsActive, inFlight, backlog, sample.P50, sample.P99, _errors.Values.Sum());
    }

    /// <summary>Builds the report; call once the run is over.</summary>
    public LoadReport BuildReport(LoadReportHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var now = Stopwatch.GetTimestamp();
        var first = Interlocked.Read(ref _firstDispatch);
        var last = Interlocked.Read(ref _lastCompletion);
        var sendingSeconds = first != 0 && last > first ? Stopwatch.GetElapsedTime(first, last).TotalSeconds : 0;
        var steps = _steps
            .Select(pair => pair.Value.Summary(pair.Key))
            .Where(s => s.Count > 0)
            .OrderBy(s => OrderOf(s.Name))
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        var replies = new SortedDictionary<int, long>();
        for (var code = 0; code < _repliesByCode.Length; code++)
        {
            var count = Interlocked.Read(ref _repliesByCode[code]);
            if (count > 0)
            {
                replies[code] = count;
            }
        }
        List<SecondSample> timeline;
        lock (_timelineGate)
        {
            timeline = [.. _timeline];
        }
        var delivered = Delivered;
        return new LoadReport
        {
            Header = header,
            Elapsed = Stopwatch.GetElapsedTime(StartTimestamp, now),
            SendingElapsed = TimeSpan.FromSeconds(sendingSeconds),
            Attempted = Interlocked.Read(ref _attempted),
            Delivered = delivered,
            Failed = Interlocked.Read(ref _failed),
            Bytes = Interlocked.Read(ref _bytes),
            RecipientsAccepted = Interlocked.Read(ref _recipientsAccepted),
            RecipientsRefused = Interlocked.Read(ref _recipientsRefused),
            ConnectionsOpened = Interlocked.Read(ref _connectionsOpened),
            ConnectionsFailed = Interlocked.Read(ref _connectionsFailed),
            PeakSessions = Interlocked.Read(ref _peakSessions),
            MessagesPerSecond = sendingSeconds > 0 ? Math.Round(delivered / sendingSeconds, 1) : 0,
            MessageLatency = _messageLatency.Summary("message"),
            Steps = steps,
            Timeline = timeline,
            Errors = [.. _errors.Select(pair => new ErrorCount(pair.Key.Phase, pair.Key.What, pair.Value))
                .OrderBy(e => OrderOf(e.Phase)).ThenBy(e => e.Phase, StringComparer.Ordinal).ThenBy(e => e.What, StringComparer.Ordinal)],
            RepliesByCode = replies,
            Integrity = Interlocked.Read(ref _digestValid) + Interlocked.Read(ref _digestMissing) + Interlocked.Read(ref _digestMismatch) == 0
                ? null
                : new IntegrityCounts(Interlocked.Read(ref _digestValid), Interlocked.Read(ref _digestMissing), Interlocked.Read(ref _digestMismatch)),
        };
    }

    /// <summary>Position of a step in <see cref="StepOrder"/>; unknown steps sort last.</summary>
    public static int OrderOf(string step)
    {
        for (var i = 0; i < StepOrder.Count; i++)
        {
            if (string.Equals(StepOrder[i], step, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    private readonly record struct ErrorKey(string Phase, string What);
}
