using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;
using static MailActors.Outbox.Actors.PartitionProtocol;

namespace MailActors.Outbox.Actors;

// Journal writes: group commit, applying journaled events, enqueue, snapshots and cleanup.
internal sealed partial class OutboxPartition
{
    private readonly List<(IOutboxPersisted Event, Action? After)> _buffer = [];
    private readonly HashSet<string> _bufferedIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _bufferedPositions = new(StringComparer.Ordinal);
    private readonly HashSet<TaskCompletionSource<EnqueueResult[]>> _waitingEnqueues = [];
    private bool _writing;
    private long _eventsSinceSnapshot;
    private long _bytesSinceSnapshot;
    private bool _snapshotting;
    // What the snapshot being saved covers since the previous one: given back if the save fails, so it is retried.
    private long _eventsInSnapshot;
    private long _bytesInSnapshot;
    // The rows a cleanup deletes: up to the snapshot, but not the rows unfinished messages' contents are in.
    private long _cleanupUpTo;
    private long _snapshotKeepsFrom;
    private int _housekeepingFailures;

    private void OnEnqueue(Enqueue enqueue)
    {
        var now = Now;
        var results = new EnqueueResult[enqueue.Messages.Count];
        var events = new List<IOutboxPersisted>(enqueue.Messages.Count);
        var ids = new List<string>(enqueue.Messages.Count);
        for (var i = 0; i < enqueue.Messages.Count; i++)
        {
            var accepted = enqueue.Messages[i].Accepted;
            if (_state.Unfinished.ContainsKey(accepted.MessageId) || _bufferedIds.Contains(accepted.MessageId) || AlreadyHas(accepted.Source, accepted.Position))
            {
                results[i] = new EnqueueResult(accepted.MessageId, EnqueueOutcome.AlreadyAccepted, OutboxRejection.None, null, []);
                continue;
            }
            events.Add(accepted with { AcceptedAt = now });
            ids.Add(accepted.MessageId);
            _bufferedIds.Add(accepted.MessageId);
            if (accepted.Source is { } source)
            {
                _bufferedPositions[source] = Math.Max(accepted.Position, _bufferedPositions.GetValueOrDefault(source, -1));
            }
            results[i] = new EnqueueResult(accepted.MessageId, EnqueueOutcome.Accepted, OutboxRejection.None, null, accepted.Suppressed);
        }
        if (events.Count == 0)
        {
            enqueue.Completion.TrySetResult(results);
            return;
        }
        _waitingEnqueues.Add(enqueue.Completion);
        Write(events, () =>
        {
            foreach (var id in ids)
            {
                _bufferedIds.Remove(id);
            }
            _waitingEnqueues.Remove(enqueue.Completion);
            ReportHeld(); // before the answer, on which the enqueue gives back its reservation
            enqueue.Completion.TrySetResult(results);
        });
    }

    private bool AlreadyHas(string? source, long position) =>
        source is not null
        && ((_state.SourcePositions.TryGetValue(source, out var journaled) && position <= journaled)
            || (_bufferedPositions.TryGetValue(source, out var buffered) && position <= buffered));

    /// <summary>Queues events for the next group commit; <paramref name="after"/> runs once all of them are journaled and applied.</summary>
    private void Write(IReadOnlyList<IOutboxPersisted> events, Action? after)
    {
        if (events.Count == 0)
        {
            after?.Invoke();
            return;
        }
        for (var i = 0; i < events.Count; i++)
        {
            _buffer.Add((events[i], i == events.Count - 1 ? after : null));
        }
        Flush();
    }

    private void Flush()
    {
        if (_writing || _buffer.Count == 0)
        {
            return;
        }
        var take = 0;
        long bytes = 0;
        while (take < _buffer.Count && take < Math.Max(1, _options.MaxWriteBatch) && (take == 0 || bytes < _options.MaxWriteBatchBytes))
        {
            bytes += ApproximateSize(_buffer[take].Event);
            take++;
        }
        var batch = _buffer.GetRange(0, take);
        _buffer.RemoveRange(0, take);
        _writing = true;
        // One journal row for the whole group commit (see EventBatch); applied event by event once it is durable, and
        // only then the continuations of the writes it completes: each sees the whole row applied (a snapshot taken by
        // one must not claim the row while missing the events after it).
        PersistAsync(new EventBatch(batch.Select(b => b.Event).ToArray()), _ =>
        {
            CountRow(new ContentLoader.JournalRow(LastSequenceNr, bytes), batch.Count);
            foreach (var (e, _) in batch)
            {
                ApplyLive(e);
            }
            foreach (var (_, after) in batch)
            {
                after?.Invoke();
            }
            _writing = false;
            ReportHeld();
            AfterWrite();
        });
    }

    private void AfterWrite()
    {
        // While a restate waits for evicted contents, their read's completion runs this again.
        if (!_snapshotting && !_restating && !_restateWaitsForContents && _eventsSinceSnapshot >= _options.SnapshotMinEvents
            && _bytesSinceSnapshot >= Math.Max(_options.SnapshotMinBytes, _options.SnapshotCostRatio * StateSize()))
        {
            var restated = RestateOldContents();
            if (restated is null)
            {
                // Waiting for evicted contents to restate: the read's completion comes back here.
            }
            else if (restated.Count == 0)
            {
                TakeSnapshot();
            }
            else
            {
                _restating = true;
                Write(restated, () =>
                {
                    _restating = false;
                    EvictRestated(restated);
                    TakeSnapshot();
                });
            }
        }
        else if (_state.Unfinished.Count == 0 && _eventsSinceSnapshot > 0)
        {
            StartIdleSnapshotTimer();
        }
        SendPendingDsns();
        Flush();
        Dispatch();
        ContinueShutdown();
    }

    /// <summary>
    /// Tells the outbox's memory bound what this partition holds in memory now: the state of its unfinished messages, the
    /// contents not evicted, and the contents of DSNs not yet queued.
    /// </summary>
    private void ReportHeld()
    {
        long dsnContents = 0;
        foreach (var request in _state.DsnPending.Values)
        {
            dsnContents += request.Content.IsLoaded ? request.Content.Length : 0;
        }
        _context.Budget.Report(_context.Index,
            _state.LoadedContentBytes + _loaderBytes + _state.Unfinished.Count * ContentBudget.StateBytesPerMessage + dsnContents);
    }

    /// <summary>Contents read back only to be restated leave memory again if their messages still wait long.</summary>
    private void EvictRestated(List<IOutboxPersisted> restated)
    {
        var now = Now;
        foreach (var e in restated)
        {
            if (_state.Unfinished.TryGetValue(((ContentRestated)e).MessageId, out var record) && _scheduledAt.TryGetValue(record.Id, out var due))
            {
                EvictIfDeferredLong(record, due, now);
            }
        }
    }

    /// <summary>About what a snapshot writes (contents are not in it: <see cref="StoredContent"/>).</summary>
    private long StateSize() => 256L * _state.Unfinished.Count + 128L * _options.StatusRetention;

    /// <summary>About what journaling a content again costs (<see cref="ApproximateSize"/> of its <see cref="ContentRestated"/>).</summary>
    private static long RestatedSize(int contentLength) => contentLength + 100;

    internal static long ApproximateSize(IOutboxPersisted e) => e switch
    {
        MessageAccepted a => a.Content.Length + 200,
        ContentRestated r => RestatedSize(r.Content.Length),
        _ => 100,
    };

    /// <summary>Applies a journaled event to the state, then does what follows from it (scheduling, notifications).</summary>
    private void ApplyLive(IOutboxPersisted e)
    {
        var before = e is IRecipientEvent r && r is RecipientBounced ? _state.Find(r.MessageId)?.Recipient(r.Recipient)?.State : null;
        // Taken before the event may finish the message: a finished one keeps no envelope, and its recipients are read
        // as the route their domain selects (the same one unless the message named another).
        var route = e is RecipientBounced b && _state.Unfinished.TryGetValue(b.MessageId, out var unfinished) ? unfinished.Envelope.Route : null;
        _state.Apply(e, LastSequenceNr);
        switch (e)
        {
            case MessageAccepted accepted:
                if (_state.Unfinished.TryGetValue(accepted.MessageId, out var record))
                {
                    Reschedule(record);
                }
                Publish(new MessageAcceptedEvent(accepted.MessageId, accepted.Envelope.Recipients, accepted.AcceptedAt));
                foreach (var suppressed in accepted.Suppressed)
                {
                    Publish(new DeliveryFailed(accepted.MessageId, suppressed, RecipientState.Suppressed, null, "on the suppression list", false, BounceSource.Smtp, accepted.AcceptedAt));
                }
                break;
            case DeliveryAttempted attempted:
                Publish(new DeliveryAttemptedEvent(attempted.MessageId, attempted.Recipients, attempted.Attempt, attempted.At));
                break;
            case RecipientDelivered delivered:
                Publish(new DeliveredEvent(delivered.MessageId, delivered.Recipient, delivered.Reply, delivered.At));
                break;
            case RecipientDeferred deferred:
                Publish(new DeferredEvent(deferred.MessageId, deferred.Recipient, deferred.Reply, deferred.Error, deferred.Attempt, deferred.NextAttemptAt, deferred.At));
                break;
            case RecipientBounced bounced:
                if (before is not RecipientState.Bounced)
                {
                    if (bounced.Hard && _options.SuppressHardBounces)
                    {
                        _context.Suppress(bounced.Recipient, _context.Routes.ReadsExactly(route, bounced.Recipient),
                            $"hard bounce: {bounced.Reply?.ToString().Trim() ?? bounced.Error}");
                    }
                    Publish(new DeliveryFailed(bounced.MessageId, bounced.Recipient, RecipientState.Bounced, bounced.Reply, bounced.Error, bounced.Hard, bounced.Source, bounced.At));
                }
                break;
            case RecipientExpired expired:
                Publish(new DeliveryFailed(expired.MessageId, expired.Recipient, RecipientState.Expired, expired.LastReply, expired.LastError, false, BounceSource.Smtp, expired.At));
                break;
            case RecipientSuppressed suppressed:
                Publish(new DeliveryFailed(suppressed.MessageId, suppressed.Recipient, RecipientState.Suppressed, null, suppressed.Reason, false, BounceSource.Smtp, suppressed.At));
                break;
        }
    }

    private void Publish(OutboxEvent e)
    {
        if (_context.Events.HasSubscribers)
        {
            _context.Events.Publish(e);
        }
    }

    private void TakeSnapshot()
    {
        if (_options.Passive || _snapshotting)
        {
            return;
        }
        _snapshotting = true;
        _eventsInSnapshot = _eventsSinceSnapshot;
        _bytesInSnapshot = _bytesSinceSnapshot;
        _eventsSinceSnapshot = 0;
        _bytesSinceSnapshot = 0;
        _snapshotKeepsFrom = OldestNeededRow();
        SaveSnapshot(PartitionSnapshot.From(_state));
    }

    private void OnSnapshotSaved(SnapshotMetadata metadata)
    {
        _snapshotting = false;
        _housekeepingFailures = 0;
        // The snapshot holds everything up to its sequence number except message contents: older snapshots and older
        // events are dead weight, but for the rows unfinished messages' contents are in (and whatever follows them).
        DeleteSnapshots(new SnapshotSelectionCriteria(metadata.SequenceNr - 1));
        var upTo = Math.Min(metadata.SequenceNr, _snapshotKeepsFrom - 1);
        if (upTo > _deletedUpTo)
        {
            _cleanupPending = true;
            _cleanupUpTo = upTo;
            DeleteMessages(upTo);
        }
        if (_state.Unfinished.Count == 0 && _eventsSinceSnapshot > 0)
        {
            // Events written while this snapshot was being saved: the next idle snapshot takes them.
            StartIdleSnapshotTimer();
        }
        // A final snapshot that frees no row (the oldest unfinished message is in the first one) has no cleanup to wait for.
        ContinueShutdown();
    }

    /// <summary>
    /// A snapshot could not be saved (the store was unreachable, a timeout): its events count again towards the next
    /// one, and an idle partition tries again after a backoff, so a transient failure does not leave the journal
    /// uncleaned until new traffic comes. While shutting down there is no retry: the next start snapshots.
    /// </summary>
    private void OnSnapshotFailed(Exception cause)
    {
        _snapshotting = false;
        _eventsSinceSnapshot += _eventsInSnapshot;
        _bytesSinceSnapshot += _bytesInSnapshot;
        _log.Warning(cause, "Outbox partition {0}: snapshot failed", _context.Index);
        if (_draining)
        {
            _snapshotFailed = true;
            ContinueShutdown();
            return;
        }
        Timers.StartSingleTimer("idle-snapshot", IdleSnapshot.Instance, HousekeepingRetryDelay());
    }

    /// <summary>Deleting the events a saved snapshot covers failed: try again after a backoff (the snapshot is safe).</summary>
    private void OnCleanupFailed(object failure)
    {
        _log.Warning("Outbox partition {0}: cleanup after snapshot failed: {1}", _context.Index, failure);
        // Nothing is pending until the retry is sent, so a shutdown meanwhile does not wait for the backoff.
        _cleanupPending = false;
        if (_draining)
        {
            ContinueShutdown();
            return;
        }
        Timers.StartSingleTimer("cleanup-retry", RetryCleanup.Instance, HousekeepingRetryDelay());
    }

    private void OnRetryCleanup()
    {
        _cleanupPending = true;
        DeleteMessages(_cleanupUpTo);
    }

    private void OnCleanupDone(long deletedUpTo)
    {
        _deletedUpTo = Math.Max(_deletedUpTo, deletedUpTo);
        _rows.RemoveAll(row => row.SequenceNr <= deletedUpTo);
        _cleanupPending = false;
        _housekeepingFailures = 0;
        ContinueShutdown();
    }

    private void StartIdleSnapshotTimer()
    {
        if (_options.SnapshotIdleAfter != TimeSpan.MaxValue) // infinite: never, and no timer Akka's scheduler would overflow
        {
            Timers.StartSingleTimer("idle-snapshot", IdleSnapshot.Instance, _options.SnapshotIdleAfter);
        }
    }

    private TimeSpan HousekeepingRetryDelay()
    {
        var factor = 1L << Math.Min(_housekeepingFailures++, 6);
        var cap = TimeSpan.FromMinutes(1);
        // Compared before multiplying: an infinite idle time times the factor would wrap to a negative delay.
        return _options.SnapshotIdleAfter.Ticks > cap.Ticks / factor ? cap : TimeSpan.FromTicks(_options.SnapshotIdleAfter.Ticks * factor);
    }

    // ---- DSNs for finished messages with failed recipients ----

    private readonly HashSet<string> _dsnInProgress = new(StringComparer.Ordinal);

    private void SendPendingDsns()
    {
        if (_options.Passive || _state.DsnPending.Count == _dsnInProgress.Count)
        {
            return;
        }
        foreach (var request in _state.DsnPending.Values)
        {
            if (!request.Content.IsLoaded)
            {
                _contentWanted.Add(request.MessageId);
                continue;
            }
            if (_dsnInProgress.Add(request.MessageId))
            {
                var id = request.MessageId;
                _context.SendDsn(request).ContinueWith(
                    t => new DsnHandedOver(id, t.Exception?.GetBaseException()),
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).PipeTo(Self);
            }
        }
        LoadWantedContents();
    }

    private void OnDsnHandedOver(DsnHandedOver handed)
    {
        if (handed.Error is not null)
        {
            _dsnInProgress.Remove(handed.MessageId);
            _log.Warning(handed.Error, "Outbox partition {0}: could not queue the DSN for {1}; the sweep tries again", _context.Index, handed.MessageId);
            return;
        }
        Write([new DsnQueued(handed.MessageId)], () => _dsnInProgress.Remove(handed.MessageId));
    }
}
