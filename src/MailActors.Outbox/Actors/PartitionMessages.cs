using MailActors.Delivery;
using MailActors.Outbox.Dsn;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;

namespace MailActors.Outbox.Actors;

/// <summary>A message validated and read by the facade, ready to journal (the partition stamps the acceptance time).</summary>
internal sealed record PreparedMessage(MessageAccepted Accepted)
{
    public string Id => Accepted.MessageId;
}

/// <summary>The partition's protocol. Replies go to the sender, except enqueues, which complete their own task.</summary>
internal static class PartitionProtocol
{
    public sealed record Enqueue(IReadOnlyList<PreparedMessage> Messages, TaskCompletionSource<EnqueueResult[]> Completion);

    public sealed record GetStatus(string MessageId);

    public sealed record GetCounts
    {
        public static GetCounts Instance { get; } = new();
    }

    public sealed record GetSourcePosition(string Source);

    public sealed record ApplyDsn(DeliveryStatusReport Report);

    public sealed record WaitRecovered
    {
        public static WaitRecovered Instance { get; } = new();
    }

    /// <summary>Test hook: drop every timer and ready-queue entry, as if the scheduler had lost them; only the sweep can recover.</summary>
    public sealed record ForgetSchedules
    {
        public static ForgetSchedules Instance { get; } = new();
    }

    /// <summary>Test hook: the partition's state, encoded as a snapshot would be.</summary>
    public sealed record GetStateBytes
    {
        public static GetStateBytes Instance { get; } = new();
    }

    /// <summary>
    /// Clean stop: dispatch nothing new, let attempts in flight settle (up to the timeout), snapshot and delete the
    /// covered events, then reply <see cref="ShutdownDone"/> (the partition keeps running until its supervisor stops).
    /// </summary>
    public sealed record Shutdown(TimeSpan DrainTimeout);

    public sealed record ShutdownDone
    {
        public static ShutdownDone Instance { get; } = new();
    }

    internal sealed record DrainTimedOut
    {
        public static DrainTimedOut Instance { get; } = new();
    }

    internal sealed record SendCompleted(string MessageId, long Token, int Attempt, IReadOnlyList<string> Recipients, DeliveryReport? Report, Exception? Error);

    internal sealed record DsnHandedOver(string MessageId, Exception? Error);

    internal sealed record Due
    {
        public static Due Instance { get; } = new();
    }

    internal sealed record Sweep
    {
        public static Sweep Instance { get; } = new();
    }

    internal sealed record IdleSnapshot
    {
        public static IdleSnapshot Instance { get; } = new();
    }

    /// <summary>Deleting the events a snapshot covers failed earlier: try again.</summary>
    internal sealed record RetryCleanup
    {
        public static RetryCleanup Instance { get; } = new();
    }
}

/// <summary>
/// What the partition needs from the rest of the outbox. <paramref name="Suppress"/> takes an address, whether its route
/// has exact-addresses on, and the reason. <paramref name="RecoveryFailed"/> is told when the journal cannot be read
/// (it matters only while the outbox starts).
/// </summary>
internal sealed record PartitionContext(
    int Index,
    string PersistenceId,
    OutboxOptions Options,
    int InFlightWindow,
    Mailer? Mailer,
    RouteResolver Routes,
    SuppressionSet Suppression,
    Action<string, bool, string> Suppress,
    Func<DsnRequest, Task> SendDsn,
    OutboxEventHub Events,
    ContentBudget Budget,
    Action<Exception> RecoveryFailed);
