namespace MailActors.Outbox.Tests.Support;

/// <summary>System time, moved forward by a test.</summary>
internal sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public void Shift(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
