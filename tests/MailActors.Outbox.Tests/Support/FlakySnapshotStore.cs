using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace MailActors.Outbox.Tests.Support;

/// <summary>
/// An in-memory snapshot store whose next saves fail on request: the store going away for a moment, as seen by the
/// outbox. Shared by every actor system of the test process, so only one test may use it.
/// </summary>
public sealed class FlakySnapshotStore : MemorySnapshotStore
{
    private static int _failuresLeft;
    private static int _failed;

    /// <summary>HOCON that makes this the snapshot store.</summary>
    public const string Config = """
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.flaky"
        akka.persistence.snapshot-store.flaky {
          class = "MailActors.Outbox.Tests.Support.FlakySnapshotStore, MailActors.Outbox.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """;

    /// <summary>How many saves have failed since <see cref="FailNext"/>.</summary>
    public static int Failed => Volatile.Read(ref _failed);

    /// <summary>Makes the next <paramref name="saves"/> saves fail.</summary>
    public static void FailNext(int saves)
    {
        Volatile.Write(ref _failed, 0);
        Volatile.Write(ref _failuresLeft, saves);
    }

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Interlocked.Increment(ref _failed);
            return Task.FromException(new IOException("injected: the snapshot store is unreachable"));
        }
        return base.SaveAsync(metadata, snapshot, cancellationToken);
    }
}
