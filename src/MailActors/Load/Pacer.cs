using Akka.Actor;

namespace MailActors.Load;

/// <summary>
/// Nudges a supervisor every millisecond for schedules and connect pacing: Akka's scheduler ticks every 10 ms, which
/// would add up to 10 ms of false latency to open-loop messages, so a <see cref="PeriodicTimer"/> on the thread pool
/// tells the actor instead. What is due is always computed from the clock, so a late nudge costs nothing but delay.
/// </summary>
internal static class Pacer
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(1);

    /// <summary>Tells <paramref name="target"/> <paramref name="nudge"/> every millisecond until <paramref name="stop"/> is cancelled.</summary>
    public static void Start(IActorRef target, object nudge, CancellationToken stop) => _ = Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                target.Tell(nudge);
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }, CancellationToken.None);
}
