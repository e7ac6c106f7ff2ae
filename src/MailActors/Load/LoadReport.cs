namespace MailActors.Load;

/// <summary>The outcome of a load run: totals, throughput over time, latency per protocol step, errors by phase and code.</summary>
public sealed record LoadReport
{
    /// <summary>What was run against what.</summary>
    public required LoadReportHeader Header { get; init; }

    /// <summary>Whole run, first connect to last QUIT.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>From the first message handed to a session to the last one finished: the denominator of <see cref="MessagesPerSecond"/>.</summary>
    public required TimeSpan SendingElapsed { get; init; }

    /// <summary>Messages handed to sessions (POP3: messages retrieval was attempted for); in an open loop also those the
    /// schedule made due that no session took before the run stopped, which count as failed.</summary>
    public required long Attempted { get; init; }

    /// <summary>Messages the server accepted (POP3: messages retrieved).</summary>
    public required long Delivered { get; init; }

    /// <summary>Messages that failed: refused, cut off, timed out, or (open loop) never sent.</summary>
    public required long Failed { get; init; }

    /// <summary>Content octets of delivered messages (as a sink counts them: after dot-unstuffing, without the final dot).</summary>
    public required long Bytes { get; init; }

    /// <summary>Recipients accepted (RCPT answered 2xx).</summary>
    public required long RecipientsAccepted { get; init; }

    /// <summary>Recipients refused.</summary>
    public required long RecipientsRefused { get; init; }

    /// <summary>Connections established.</summary>
    public required long ConnectionsOpened { get; init; }

    /// <summary>Connection attempts that failed (refused, TLS, greeting, AUTH).</summary>
    public required long ConnectionsFailed { get; init; }

    /// <summary>Most sessions connected at the same time.</summary>
    public required long PeakSessions { get; init; }

    /// <summary>Delivered messages per second over <see cref="SendingElapsed"/>.</summary>
    public required double MessagesPerSecond { get; init; }

    /// <summary>Whole-message latency: from the scheduled send time (open loop) or the hand-over (closed loop) to the final
    /// reply; for an open-loop message never sent, to the moment the run gave it up.</summary>
    public required LatencyStats MessageLatency { get; init; }

    /// <summary>Latency of every protocol step seen, in session order.</summary>
    public required IReadOnlyList<LatencyStats> Steps { get; init; }

    /// <summary>One sample per second.</summary>
    public required IReadOnlyList<SecondSample> Timeline { get; init; }

    /// <summary>Failures by phase and reply code (or kind: disconnect, timeout, refused...).</summary>
    public required IReadOnlyList<ErrorCount> Errors { get; init; }

    /// <summary>Every reply received, by code.</summary>
    public required IReadOnlyDictionary<int, long> RepliesByCode { get; init; }

    /// <summary>Digest checks of retrieved messages (POP3 mode), or null.</summary>
    public IntegrityCounts? Integrity { get; init; }

    /// <summary>Why the run ended early, or null when it reached its bound.</summary>
    public string? AbortReason { get; init; }

    /// <summary>What ended the run early, for a program to act on (<see cref="AbortReason"/> says it in words), or null
    /// when it reached its bound.</summary>
    public LoadAbortKind? AbortKind { get; init; }
}

/// <summary>What ended a load run before its bound.</summary>
public enum LoadAbortKind
{
    /// <summary>Stopped from outside: <see cref="LoadRun.Stop"/> (Ctrl-C in the command).</summary>
    Stopped,

    /// <summary>Connections (POP3: logins, or the steps before the first retrieval) failed too many times in a row.</summary>
    SessionsFailing,

    /// <summary>Open loop: when the drain time after the schedule ran out, messages were still unsent or unanswered.</summary>
    FellBehindSchedule,

    /// <summary>POP3: too many sessions in a row found their mailbox empty.</summary>
    NothingToRetrieve,
}

/// <summary>What the run was.</summary>
/// <param name="Protocol"><c>smtp</c> or <c>pop3</c>.</param>
/// <param name="Target">Host and port.</param>
/// <param name="Mode"><c>closed-loop</c>, <c>open-loop</c> or <c>hold</c>.</param>
/// <param name="Sessions">Concurrent sessions.</param>
/// <param name="TargetRate">Open loop: the scheduled rate, messages per second.</param>
/// <param name="PlannedMessages">The message bound, if any.</param>
/// <param name="Duration">The time bound, if any.</param>
/// <param name="StartedAt">Wall-clock start.</param>
/// <param name="Settings">Other settings worth printing (size, recipients, pipelining, TLS...).</param>
public sealed record LoadReportHeader(
    string Protocol, string Target, string Mode, int Sessions, double? TargetRate, long? PlannedMessages, TimeSpan? Duration,
    DateTimeOffset StartedAt, IReadOnlyDictionary<string, string> Settings);

/// <summary>One second of the run.</summary>
/// <param name="Second">Seconds since the start (1 = the first second).</param>
/// <param name="Delivered">Messages accepted in that second.</param>
/// <param name="Failed">Messages failed in that second.</param>
/// <param name="Bytes">Content octets accepted in that second.</param>
/// <param name="P50">Median message latency in that second, ms; null when no message ended in it (not 0, which would
/// make a stall look like the fastest second).</param>
/// <param name="P99">99th percentile message latency in that second, ms; null when no message ended in it.</param>
/// <param name="Max">Maximum message latency in that second, ms; null when no message ended in it.</param>
/// <param name="IntervalSeconds">Length of the interval: 1, except for the last one, which ends with the run.</param>
public sealed record SecondSample(long Second, long Delivered, long Failed, long Bytes, double? P50, double? P99, double? Max, double IntervalSeconds = 1.0)
{
    /// <summary>Whether the interval is a whole second (timer jitter aside), so its counts are a rate: the last one,
    /// cut short by the end of the run, is not, and its counts scaled to a second would overstate it.</summary>
    public bool IsWholeSecond => IntervalSeconds >= 0.9;

    /// <summary>Messages accepted per second in this interval.</summary>
    public double DeliveredPerSecond => IntervalSeconds > 0 ? Delivered / IntervalSeconds : 0;

    /// <summary>Messages failed per second in this interval.</summary>
    public double FailedPerSecond => IntervalSeconds > 0 ? Failed / IntervalSeconds : 0;
}

/// <summary>Failures of one kind.</summary>
/// <param name="Phase">The step that failed (<c>RCPT</c>, <c>DOT</c>, <c>connect</c>...).</param>
/// <param name="What">The reply code, or the kind of failure.</param>
/// <param name="Count">How often.</param>
public sealed record ErrorCount(string Phase, string What, long Count);

/// <summary>Digest checks of retrieved messages.</summary>
/// <param name="Valid">Body matched its digest.</param>
/// <param name="Missing">No digest header (not sent by a load run).</param>
/// <param name="Mismatch">Body changed, or an unknown algorithm.</param>
public sealed record IntegrityCounts(long Valid, long Missing, long Mismatch);

/// <summary>A live snapshot for progress displays.</summary>
/// <param name="Elapsed">Time since the start.</param>
/// <param name="Attempted">Messages handed to sessions.</param>
/// <param name="Delivered">Messages accepted.</param>
/// <param name="Failed">Messages failed.</param>
/// <param name="Bytes">Octets accepted.</param>
/// <param name="LastSecondDelivered">Messages accepted in the last full second.</param>
/// <param name="SessionsActive">Sessions connected.</param>
/// <param name="InFlight">Messages in progress.</param>
/// <param name="Backlog">Open loop: messages due but not yet started (the server is behind the schedule).</param>
/// <param name="LastSecondP50">Median message latency in the last second, ms; null when no message ended in it.</param>
/// <param name="LastSecondP99">99th percentile message latency in the last second, ms; null when no message ended in it.</param>
/// <param name="Errors">Failures counted so far.</param>
public sealed record LoadProgress(
    TimeSpan Elapsed, long Attempted, long Delivered, long Failed, long Bytes, long LastSecondDelivered, long SessionsActive,
    long InFlight, long Backlog, double? LastSecondP50, double? LastSecondP99, long Errors)
{
    /// <summary>Before the first tick.</summary>
    public static LoadProgress Empty { get; } = new(TimeSpan.Zero, 0, 0, 0, 0, 0, 0, 0, 0, null, null, 0);
}
