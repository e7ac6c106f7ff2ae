using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using MailActors.Outbox.Persistence;

namespace MailActors.Outbox.Actors;

/// <summary>
/// The persisted suppression list: hard-bounced (or manually added) addresses that later sends skip. Keeps
/// <see cref="SuppressionSet"/> in step after every journaled change; snapshots every 500 changes and deletes older events.
/// </summary>
internal sealed class SuppressionListActor : UntypedPersistentActor
{
    private const int SnapshotEvery = 500;
    private readonly Dictionary<string, AddressSuppressed> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly SuppressionSet _mirror;
    private readonly bool _passive;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly Action<Exception> _recoveryFailed;

    public SuppressionListActor(string persistenceId, SuppressionSet mirror, bool passive, Action<Exception> recoveryFailed)
    {
        PersistenceId = persistenceId;
        _mirror = mirror;
        _passive = passive;
        _recoveryFailed = recoveryFailed;
    }

    public override string PersistenceId { get; }

    /// <summary>Puts an address on the list, read as its route reads it (see <see cref="SuppressionSet.Normalize"/>).</summary>
    public sealed record Suppress(string Address, string Reason, bool ExactAddresses = false);

    /// <summary>Takes an address off the list, read as in <see cref="Suppress"/>.</summary>
    public sealed record Unsuppress(string Address, bool ExactAddresses = false);

    public sealed record List
    {
        public static List Instance { get; } = new();
    }

    public sealed record Ready
    {
        public static Ready Instance { get; } = new();
    }

    // recoveryFailed is told why the journal could not be read, besides the log: the backoff supervisor would restart the
    // actor for ever, and the outbox's start would wait for it.
    public static Props Props(string persistenceId, SuppressionSet mirror, bool passive, Action<Exception> recoveryFailed) =>
        Akka.Actor.Props.Create(() => new SuppressionListActor(persistenceId, mirror, passive, recoveryFailed));

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _recoveryFailed(reason);
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: SuppressionSnapshot snapshot }:
                _entries.Clear();
                foreach (var entry in snapshot.Entries)
                {
                    Apply(entry);
                }
                break;
            case IOutboxPersisted e:
                Apply(e);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Ready:
                Sender.Tell(Ready.Instance);
                break;
            case Suppress suppress when !_passive:
                var address = SuppressionSet.Normalize(suppress.Address, suppress.ExactAddresses);
                if (_entries.TryGetValue(address, out var existing) && existing.Reason == suppress.Reason)
                {
                    Sender.Tell(true);
                    break;
                }
                var replyTo = Sender;
                Persist(new AddressSuppressed(address, suppress.Reason, DateTime.UtcNow), e =>
                {
                    Apply(e);
                    replyTo.Tell(true);
                    MaybeSnapshot();
                });
                break;
            case Unsuppress unsuppress when !_passive:
                var key = SuppressionSet.Normalize(unsuppress.Address, unsuppress.ExactAddresses);
                if (!_entries.ContainsKey(key))
                {
                    Sender.Tell(false);
                    break;
                }
                var requester = Sender;
                Persist(new AddressUnsuppressed(key, DateTime.UtcNow), e =>
                {
                    Apply(e);
                    requester.Tell(true);
                    MaybeSnapshot();
                });
                break;
            case Suppress or Unsuppress:
                Sender.Tell(new Status.Failure(new InvalidOperationException("The outbox is read-only (passive).")));
                break;
            case List:
                Sender.Tell(_entries.Values.OrderBy(e => e.Address, StringComparer.OrdinalIgnoreCase).ToArray());
                break;
            case SaveSnapshotSuccess success:
                DeleteMessages(success.Metadata.SequenceNr);
                DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failure:
                _log.Warning(failure.Cause, "Suppression list snapshot failed");
                break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess:
                break;
            case DeleteMessagesFailure or DeleteSnapshotsFailure:
                _log.Warning("Suppression list cleanup failed: {0}", message);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Apply(IOutboxPersisted e)
    {
        switch (e)
        {
            case AddressSuppressed s:
                _entries[s.Address] = s;
                _mirror.Set(s.Address, s.Reason);
                break;
            case AddressUnsuppressed u:
                _entries.Remove(u.Address);
                _mirror.Remove(u.Address);
                break;
        }
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % SnapshotEvery == 0)
        {
            SaveSnapshot(new SuppressionSnapshot(_entries.Values.ToArray()));
        }
    }
}
