using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;
using static MailActors.Outbox.Actors.PartitionProtocol;

namespace MailActors.Outbox.Actors;

/// <summary>
/// One outbox partition: an event-sourced actor owning the messages whose id hashes to it. Enqueues and delivery
/// outcomes are journaled in group commits (whatever arrives while a write is under way goes into the next one);
/// the state changes only when its events are journaled, so recovery rebuilds it exactly. After recovery every
/// unfinished message is scheduled again: those caught in flight by a crash are sent again (at-least-once).
/// </summary>
internal sealed partial class OutboxPartition : UntypedPersistentActor, IWithTimers
{
    private readonly PartitionContext _context;
    private readonly OutboxOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PartitionState _state;

    public OutboxPartition(PartitionContext context)
    {
        _context = context;
        _options = context.Options;
        _state = NewState();
        PersistenceId = context.PersistenceId;
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(PartitionContext context) => Akka.Actor.Props.Create(() => new OutboxPartition(context));

    private DateTime Now => _options.Clock.GetUtcNow().UtcDateTime;

    private PartitionState NewState() => new(_options.StatusRetention, _options.GenerateDsn);

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: PartitionSnapshot snapshot } offer:
                _state = snapshot.Restore(_options.StatusRetention, _options.GenerateDsn);
                _snapshotSequenceNr = offer.Metadata.SequenceNr;
                break;
            case IOutboxPersisted row:
                RecoverRow(EventBatch.Unpack(row));
                break;
            case RecoveryCompleted:
                OnRecovered();
                break;
        }
    }

    private void RecoverRow(IReadOnlyList<IOutboxPersisted> events)
    {
        foreach (var e in events)
        {
            _state.Apply(e, LastSequenceNr);
        }
        CountRow(ContentLoader.JournalRow.Of(LastSequenceNr, events), events.Count);
    }

    private void OnRecovered()
    {
        if (_options.Passive)
        {
            ReportHeld();
            return;
        }
        LoadContents();
        ReportHeld(); // after LoadContents: what it reads back counts from the start
        var resumed = 0;
        foreach (var record in _state.Unfinished.Values)
        {
            Reschedule(record);
            resumed++;
        }
        if (resumed > 0)
        {
            _log.Info("Outbox partition {0}: {1} unfinished message(s) resume", _context.Index, resumed);
        }
        if (_options.SweepInterval != TimeSpan.MaxValue) // infinite: no sweep, and no timer Akka's scheduler would overflow
        {
            Timers.StartPeriodicTimer("sweep", Sweep.Instance, _options.SweepInterval);
        }
        SendPendingDsns();
        Dispatch();
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Enqueue enqueue:
                OnEnqueue(enqueue);
                break;
            case SendCompleted completed:
                OnSendCompleted(completed);
                break;
            case Due:
                _dueArmedFor = null;
                Dispatch();
                break;
            case Sweep:
                OnSweep();
                break;
            case IdleSnapshot:
                if (!_writing && _buffer.Count == 0 && _state.Unfinished.Count == 0 && _eventsSinceSnapshot > 0)
                {
                    TakeSnapshot();
                }
                break;
            case Shutdown shutdown:
                _shutdownRequesters.Add(Sender);
                if (!_draining)
                {
                    _draining = true;
                    Timers.Cancel("sweep");
                    Timers.Cancel("due");
                    Timers.StartSingleTimer("drain", DrainTimedOut.Instance, shutdown.DrainTimeout);
                }
                ContinueShutdown();
                break;
            case DrainTimedOut:
                _drainTimedOut = true;
                if (_inFlight.Count > 0)
                {
                    // Not lost: no outcome of theirs is journaled, so the next start sends them again (at-least-once).
                    _log.Warning("Outbox partition {0}: {1} attempt(s) still in flight when the drain timeout ran out; they are sent again after the next start",
                        _context.Index, _inFlight.Count);
                }
                ContinueShutdown();
                break;
            case DsnHandedOver handed:
                OnDsnHandedOver(handed);
                break;
            case GetStatus query:
                Sender.Tell(new Status.Success(_state.Find(query.MessageId)));
                break;
            case GetCounts:
                Sender.Tell(Counts());
                break;
            case GetSourcePosition query:
                Sender.Tell(_state.SourcePositions.TryGetValue(query.Source, out var position) ? position : -1L);
                break;
            case ApplyDsn apply:
                OnApplyDsn(apply);
                break;
            case WaitRecovered:
                Sender.Tell(WaitRecovered.Instance);
                break;
            case ForgetSchedules:
                _ready.Clear();
                _readySet.Clear();
                _schedule.Clear();
                _scheduledAt.Clear();
                _dueArmedFor = null;
                Timers.Cancel("due");
                Sender.Tell(ForgetSchedules.Instance);
                break;
            case GetStateBytes:
                Sender.Tell(PartitionSnapshot.From(_state).Bytes);
                break;
            case SaveSnapshotSuccess success:
                OnSnapshotSaved(success.Metadata);
                break;
            case SaveSnapshotFailure failure:
                OnSnapshotFailed(failure.Cause);
                break;
            case DeleteMessagesSuccess deleted:
                OnCleanupDone(deleted.ToSequenceNr);
                break;
            case ContentLoader.Loaded loaded:
                OnContentsLoaded(loaded);
                break;
            case ContentLoader.Failed failed:
                // Nothing can be sent without its content: stop, and the backoff supervisor starts the partition again.
                _log.Error(failed.Cause, "Outbox partition {0}: reading message contents back from the journal failed; restarting", _context.Index);
                Context.Stop(Self);
                break;
            case DeleteMessagesFailure failure:
                OnCleanupFailed(failure);
                break;
            case RetryCleanup:
                OnRetryCleanup();
                break;
            case DeleteSnapshotsSuccess:
                break;
            case DeleteSnapshotsFailure failure:
                // Older snapshots left behind are deleted with the next snapshot's cleanup (it covers all older ones).
                _log.Warning("Outbox partition {0}: deleting old snapshots failed: {1}", _context.Index, failure);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    // ---- clean shutdown: drain, snapshot, delete, answer ----

    private readonly List<IActorRef> _shutdownRequesters = [];
    private bool _draining;
    private bool _drainTimedOut;
    private bool _cleanupPending;
    private bool _snapshotFailed;
    private bool _finalSnapshotTaken;

    private void ContinueShutdown()
    {
        if (!_draining || _shutdownRequesters.Count == 0)
        {
            return;
        }
        var settled = _inFlight.Count == 0 || _drainTimedOut;
        if (!settled || _writing || _buffer.Count > 0)
        {
            return; // the next Settled / AfterWrite calls back here
        }
        if (!_finalSnapshotTaken && !_options.Passive && _eventsSinceSnapshot > 0 && !_snapshotFailed)
        {
            // After an earlier snapshot's cleanup: its completion would otherwise be taken for the final one's.
            if (!_snapshotting && !_cleanupPending)
            {
                _finalSnapshotTaken = true;
                TakeSnapshot();
            }
            return;
        }
        if (_snapshotting || _cleanupPending)
        {
            return;
        }
        Timers.Cancel("drain");
        foreach (var requester in _shutdownRequesters)
        {
            requester.Tell(ShutdownDone.Instance);
        }
        _shutdownRequesters.Clear();
    }

    /// <summary>O(1): the state keeps its pending counts up to date ("in flight" = an attempt journaled without an outcome yet).</summary>
    private OutboxCounts Counts() => new(_state.MessagesAccepted, _state.Unfinished.Count, _state.PendingIn(RecipientState.Queued),
        _state.PendingIn(RecipientState.InFlight), _state.PendingIn(RecipientState.Deferred), _state.Delivered, _state.Bounced, _state.Expired, _state.Suppressed);

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // While the outbox starts, this ends the start (the backoff supervisor would restart the partition for ever);
        // once it runs, the log and the restart are all there is.
        _context.RecoveryFailed(reason);
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        // The group commit's callbacks will never run: restart and rebuild the state from the journal.
        throw new InvalidOperationException($"Outbox partition {_context.Index}: the journal rejected an event ({cause.Message}).", cause);
    }

    protected override void PostStop()
    {
        // An enqueue split over several group commits may have had its first rows journaled before a later one failed:
        // "may not", and a retry is safe (an id already journaled comes back AlreadyAccepted).
        var stopped = new OutboxRejectedException("", OutboxRejection.Unavailable,
            $"Outbox partition {_context.Index} stopped before the message was known to be journaled; it may be enqueued again.");
        foreach (var waiting in _waitingEnqueues)
        {
            waiting.TrySetException(stopped);
        }
        _waitingEnqueues.Clear();
        base.PostStop();
    }
}
