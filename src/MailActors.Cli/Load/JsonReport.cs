using System.Text.Json;
using MailActors.Load;

namespace MailActors.Cli.Load;

/// <summary>The machine-readable report: times in seconds or milliseconds (named so), counts as integers.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var header = report.Header;
        var document = new
        {
            tool = "mailactors load",
            protocol = header.Protocol,
            target = header.Target,
            mode = header.Mode,
            sessions = header.Sessions,
            targetRate = header.TargetRate,
            plannedMessages = header.PlannedMessages,
            durationSeconds = header.Duration?.TotalSeconds,
            startedAt = header.StartedAt,
            settings = header.Settings,
            elapsedSeconds = report.Elapsed.TotalSeconds,
            sendingSeconds = report.SendingElapsed.TotalSeconds,
            messagesPerSecond = report.MessagesPerSecond,
            totals = new
            {
                attempted = report.Attempted,
                delivered = report.Delivered,
                failed = report.Failed,
                bytes = report.Bytes,
                recipientsAccepted = report.RecipientsAccepted,
                recipientsRefused = report.RecipientsRefused,
                connectionsOpened = report.ConnectionsOpened,
                connectionsFailed = report.ConnectionsFailed,
                peakSessions = report.PeakSessions,
            },
            // A row with nothing recorded (the message row of a hold run) has no latencies: null, not a 0 that reads as 0 ms.
            latencyMs = new[] { report.MessageLatency }.Concat(report.Steps).Select(s => new
            {
                step = s.Name,
                count = s.Count,
                mean = Measured(s, s.Mean),
                p50 = Measured(s, s.P50),
                p90 = Measured(s, s.P90),
                p99 = Measured(s, s.P99),
                p999 = Measured(s, s.P999),
                max = Measured(s, s.Max),
            }),
            timeline = report.Timeline.Select(s => new
            {
                second = s.Second,
                intervalSeconds = s.IntervalSeconds,
                delivered = s.Delivered,
                failed = s.Failed,
                bytes = s.Bytes,
                p50Ms = s.P50,
                p99Ms = s.P99,
                maxMs = s.Max,
            }),
            errors = report.Errors.Select(e => new { phase = e.Phase, what = e.What, count = e.Count }),
            repliesByCode = report.RepliesByCode.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value),
            integrity = report.Integrity is { } i ? new { valid = i.Valid, missing = i.Missing, mismatch = i.Mismatch } : null,
            abortReason = report.AbortReason,
            abortKind = report.AbortKind switch
            {
                null => null,
                LoadAbortKind.Stopped => "stopped",
                LoadAbortKind.SessionsFailing => "sessions-failing",
                LoadAbortKind.FellBehindSchedule => "fell-behind-schedule",
                LoadAbortKind.NothingToRetrieve => "nothing-to-retrieve",
                _ => report.AbortKind.ToString(),
            },
        };
        return JsonSerializer.Serialize(document, Options);
    }

    private static double? Measured(LatencyStats stats, double value) => stats.Count > 0 ? value : null;
}
