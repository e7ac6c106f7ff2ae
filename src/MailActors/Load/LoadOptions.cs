using MailActors.Smtp;

namespace MailActors.Load;

/// <summary>
/// What a load run does: how many sessions, how much mail, how fast, what it looks like. A run always has a bound —
/// <see cref="Messages"/> or <see cref="Duration"/> — and <see cref="Validate"/> refuses one without.
/// </summary>
public sealed record LoadOptions
{
    /// <summary>The session every connection uses: hosts, port, TLS, credentials, pipelining, timeouts. Its
    /// <see cref="SmtpSessionSettings.Observer"/> is replaced by the run's own.</summary>
    public required SmtpSessionSettings Session { get; init; }

    /// <summary>Connections open at once (closed loop: each sends as fast as replies come).</summary>
    public int Sessions { get; init; } = 10;

    /// <summary>Messages to send in all; with <see cref="Rate"/> and no count, <c>Rate × Duration</c> (with both, the smaller).</summary>
    public long? Messages { get; init; }

    /// <summary>How long to run; the run also stops when <see cref="Messages"/> have been sent.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Open loop: messages per second on a fixed schedule, latency measured from each message's scheduled time
    /// (a stalled server shows in the percentiles instead of slowing the generator down). Null = closed loop.</summary>
    public double? Rate { get; init; }

    /// <summary>Messages per connection before QUIT and a new connection; 0 = no limit (one connection per session).</summary>
    public int MessagesPerConnection { get; init; }

    /// <summary>New connections per second at most (spreads the initial connects and every reconnect); null = no limit.</summary>
    public double? ConnectRate { get; init; }

    /// <summary>Hold mode: connect, greet (and TLS/AUTH as configured), then stay idle until <see cref="Duration"/> ends;
    /// no mail is sent. Measures how many concurrent sessions a server (and this client) can keep.</summary>
    public bool Hold { get; init; }

    /// <summary>Where the protocol transcript of the first connection goes (a sample for debugging); null for none.</summary>
    public Diagnostics.ITranscript? FirstConnectionTranscript { get; init; }

    /// <summary>Akka dispatcher for the run's supervisor and session actors (a configured dispatcher id); null = the default.</summary>
    public string? Dispatcher { get; init; }

    /// <summary>What the messages look like.</summary>
    public LoadMessageOptions Message { get; init; } = new();

    /// <summary>Consecutive failed connection attempts (with no success in between) after which the run gives up.</summary>
    public int MaxConsecutiveConnectFailures { get; init; } = 50;

    /// <summary>How long in-flight work may take to finish after the bound is reached before sessions are cut off.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> when the options cannot make a bounded run.</summary>
    public void Validate()
    {
        if (Messages is null && Duration is null)
        {
            throw new ArgumentException("A load run needs a bound: a message count or a duration.");
        }
        if (Hold && Duration is null)
        {
            throw new ArgumentException("Hold mode needs a duration.");
        }
        if (Hold && Rate is not null)
        {
            // A rate would make an open loop of no messages, whose schedule ends the run after the drain time, not the duration.
            throw new ArgumentException("Hold mode sends no mail, so it takes no rate.");
        }
        if (Sessions < 1)
        {
            throw new ArgumentException("At least one session is needed.");
        }
        if (Messages is <= 0)
        {
            throw new ArgumentException("The message count must be positive.");
        }
        if (Duration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentException("The duration must be positive.");
        }
        if (!IsPositiveRate(Rate))
        {
            throw new ArgumentException(FormattableString.Invariant($"The rate (messages per second) must be a positive number, not {Rate}."));
        }
        if (!IsPositiveRate(ConnectRate))
        {
            throw new ArgumentException(FormattableString.Invariant($"The connect rate (connections per second) must be a positive number, not {ConnectRate}."));
        }
        if (MessagesPerConnection < 0)
        {
            throw new ArgumentException("Messages per connection must be 0 (no limit) or positive.");
        }
        Message.Validate();
    }

    /// <summary>Null (no rate) or a finite positive number: NaN compares false with everything, so <c>is &lt;= 0</c>
    /// lets it through (and a schedule at NaN never makes anything due), as it does infinity (whose schedule ends at once).</summary>
    internal static bool IsPositiveRate(double? rate) => rate is not { } r || (double.IsFinite(r) && r > 0);

    /// <summary>
    /// The total number of messages the run will try to send, or null when only the duration bounds it. In an open loop
    /// with both bounds, the schedule ends at whichever comes first: the count, or what the rate makes due in the duration.
    /// </summary>
    public long? PlannedMessages => Hold ? 0
        : Rate is { } rate && Duration is { } duration ? Math.Min(Messages ?? long.MaxValue, (long)Math.Round(rate * duration.TotalSeconds))
        : Messages;
}
