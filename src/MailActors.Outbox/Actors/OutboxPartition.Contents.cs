using Akka.Actor;
using Akka.Event;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;

namespace MailActors.Outbox.Actors;

// Message contents live in the journal rows that accepted them, not in snapshots (see StoredContent): which rows the
// cleanup must keep, restating contents that keep too many old rows alive, evicting the contents of messages deferred
// for long from memory, and reading contents back after a restart or an eviction.
internal sealed partial class OutboxPartition
{
    // Journal rows not yet deleted (as far as this incarnation knows them), oldest first, with their approximate size.
    private readonly List<ContentLoader.JournalRow> _rows = [];
    // The snapshot recovery started from: the newest row a content read back after a restart can be in.
    private long _snapshotSequenceNr;
    private long _deletedUpTo;
    // While true, the contents recovery needs are still being read back: nothing is dispatched.
    private bool _loadingContents;
    private bool _restating;
    // Contents to read back (by message id) and, while a loader runs, the ones it reads.
    private readonly HashSet<string> _contentWanted = new(StringComparer.Ordinal);
    private HashSet<string>? _loaderWanted;
    private long _loaderBytes; // what the loader reads back: counted against the memory bound before it arrives
    private int _loaders;
    // Messages taken from the ready queue whose contents are being read back; they count against the in-flight window.
    private readonly HashSet<string> _awaitingContent = new(StringComparer.Ordinal);
    // Evicted contents a snapshot must restate, journaled again as soon as they are read back; meanwhile it waits.
    private readonly HashSet<string> _restateWanted = new(StringComparer.Ordinal);
    private bool _restateWaitsForContents;

    private static readonly TimeSpan ContentLoadTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A row replayed or just written: it counts towards the next snapshot, and the cleanup accounting keeps it.</summary>
    private void CountRow(ContentLoader.JournalRow row, int events)
    {
        _eventsSinceSnapshot += events;
        _bytesSinceSnapshot += row.Bytes;
        _rows.Add(row);
    }

    /// <summary>The oldest journal row an unfinished message (or a pending DSN) still needs; <see cref="long.MaxValue"/> if none.</summary>
    private long OldestNeededRow()
    {
        var oldest = long.MaxValue;
        foreach (var record in _state.Unfinished.Values)
        {
            if (record.Content.SequenceNr > 0 && record.Content.SequenceNr < oldest)
            {
                oldest = record.Content.SequenceNr;
            }
        }
        foreach (var request in _state.DsnPending.Values)
        {
            if (!request.Content.IsLoaded && request.Content.SequenceNr < oldest)
            {
                oldest = request.Content.SequenceNr;
            }
        }
        return oldest;
    }

    /// <summary>
    /// Before a snapshot: if the rows kept alive for unfinished messages outweigh their contents by more than the
    /// snapshot cost ratio (plus one write batch of slack), the contents holding the oldest rows are journaled again,
    /// so the cleanup after the snapshot can delete those rows. A message deferred for days therefore costs a rewrite
    /// of its content now and then instead of keeping every finished message journaled after it. Contents evicted from
    /// memory are read back first and restated as soon as they are back; null (restate nothing now, take no snapshot)
    /// means that some are being read back, and the round runs again once they are restated.
    /// </summary>
    private List<IOutboxPersisted>? RestateOldContents()
    {
        var restated = new List<IOutboxPersisted>();
        if (_loadingContents)
        {
            return restated;
        }
        var allowed = _options.SnapshotCostRatio * _state.UnfinishedContentBytes + _options.MaxWriteBatchBytes;
        double retained = 0;
        foreach (var kept in _rows)
        {
            retained += kept.Bytes;
        }
        if (retained <= allowed)
        {
            return restated;
        }
        var pinned = _state.Unfinished.Values.Where(r => r.Content.SequenceNr > 0).OrderBy(r => r.Content.SequenceNr).ToList();
        var row = 0;
        var evicted = new List<MessageRecord>();
        foreach (var record in pinned)
        {
            // Rows older than this message's are freed once every message before it is restated.
            while (row < _rows.Count && _rows[row].SequenceNr < record.Content.SequenceNr)
            {
                retained -= _rows[row++].Bytes;
            }
            if (retained <= allowed)
            {
                break;
            }
            if (record.Content.IsLoaded)
            {
                restated.Add(new ContentRestated(record.Id, record.Content.Bytes));
            }
            else
            {
                evicted.Add(record);
            }
            retained += RestatedSize(record.Content.Length);
        }
        if (evicted.Count == 0)
        {
            return restated;
        }
        foreach (var record in evicted)
        {
            _restateWanted.Add(record.Id);
            _contentWanted.Add(record.Id);
        }
        // The whole round waits, the contents in memory too: a snapshot taken now would still keep the evicted
        // contents' old rows, and once they are restated no other snapshot may come while the partition stays quiet.
        _restateWaitsForContents = true;
        LoadWantedContents();
        return null;
    }

    /// <summary>
    /// A message deferred for longer than <see cref="OutboxOptions.DeferredContentInMemoryWithin"/> keeps only its state in
    /// memory: its content stays in its journal row and is read back when the next attempt is due.
    /// </summary>
    private void EvictIfDeferredLong(MessageRecord record, DateTime due, DateTime now)
    {
        if (DeferredForLong(due, now))
        {
            _state.EvictContent(record);
        }
    }

    /// <summary>Whether an attempt due at <paramref name="due"/> is too far away to keep the content in memory meanwhile.</summary>
    private bool DeferredForLong(DateTime due, DateTime now) => due - now > _options.DeferredContentInMemoryWithin;

    /// <summary>
    /// Starts reading back the contents wanted (those a waiting snapshot round must restate first, as no snapshot is taken
    /// until they are back, then messages due for an attempt, then the rest and DSNs to send, oldest rows first) unless a
    /// read is under way: one loader at a time, each taking about one write batch's worth of contents, so what is read
    /// back stays bounded however large the evicted backlog.
    /// </summary>
    private void LoadWantedContents()
    {
        if (_loaderWanted is not null || _contentWanted.Count == 0 || _options.Passive)
        {
            return;
        }
        var candidates = new List<(string Id, StoredContent Content)>();
        var released = false;
        foreach (var id in _contentWanted.ToList())
        {
            var content = _state.Unfinished.TryGetValue(id, out var record) ? record.Content
                : _state.DsnPending.TryGetValue(id, out var request) ? request.Content : null;
            if (content is null || content.IsLoaded)
            {
                // Finished, or read back meanwhile (restated, or by an earlier loader): nothing to read.
                _contentWanted.Remove(id);
                _restateWanted.Remove(id);
                released |= ReleaseAwaiting(id);
                continue;
            }
            candidates.Add((id, content));
        }
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<long>();
        long bytes = 0;
        foreach (var (id, content) in candidates.OrderBy(c => ReadPriority(c.Id)).ThenBy(c => c.Content.SequenceNr))
        {
            if (wanted.Count > 0 && bytes + content.Length > _options.MaxWriteBatchBytes)
            {
                break;
            }
            wanted.Add(id);
            rows.Add(content.SequenceNr);
            bytes += content.Length;
        }
        if (wanted.Count > 0)
        {
            StartLoader(ContentLoader.Covering(rows), wanted, bytes);
            ReportHeld();
        }
        if (released)
        {
            Dispatch();
        }
    }

    private int ReadPriority(string id) =>
        _restateWaitsForContents && _restateWanted.Contains(id) ? 0 : _awaitingContent.Contains(id) ? 1 : 2;

    /// <summary>A message no longer waits for its content (read back, or finished): back to the ready queue if it still needs sending.</summary>
    private bool ReleaseAwaiting(string id)
    {
        if (!_awaitingContent.Remove(id))
        {
            return false;
        }
        if (_state.Unfinished.TryGetValue(id, out var record) && record.Content.IsLoaded)
        {
            MakeReady(id);
        }
        return true;
    }

    private void StartLoader(IReadOnlyList<ContentLoader.RowRange> ranges, HashSet<string> wanted, long bytes)
    {
        _loaderWanted = wanted;
        _loaderBytes = bytes;
        var journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(JournalPluginId);
        Context.ActorOf(ContentLoader.Props(journal, PersistenceId, ranges, wanted, ContentLoadTimeout), $"content-loader-{++_loaders}");
    }

    /// <summary>
    /// After recovery: reads back the contents the snapshot referred to that are needed soon, before anything is sent
    /// again (those of messages deferred for long stay in the journal until due), and learns the sizes of the rows
    /// kept before the snapshot (the cleanup accounting).
    /// </summary>
    private void LoadContents()
    {
        var now = Now;
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var from = long.MaxValue;
        long bytes = 0;
        foreach (var record in _state.Unfinished.Values.Where(r => !r.Content.IsLoaded))
        {
            from = Math.Min(from, record.Content.SequenceNr);
            if (EarliestDue(record) is not { } due || !DeferredForLong(due, now))
            {
                wanted.Add(record.Id);
                bytes += record.Content.Length;
            }
        }
        foreach (var request in _state.DsnPending.Values.Where(r => !r.Content.IsLoaded))
        {
            wanted.Add(request.MessageId);
            from = Math.Min(from, request.Content.SequenceNr);
            bytes += request.Content.Length;
        }
        if (from == long.MaxValue)
        {
            return;
        }
        _loadingContents = true;
        StartLoader([new ContentLoader.RowRange(from, _snapshotSequenceNr)], wanted, bytes);
    }

    private void OnContentsLoaded(ContentLoader.Loaded loaded)
    {
        var wanted = _loaderWanted ?? [];
        _loaderWanted = null;
        _loaderBytes = 0;
        var firstKnown = _rows.Count > 0 ? _rows[0].SequenceNr : long.MaxValue;
        _rows.InsertRange(0, loaded.Rows.Where(r => r.SequenceNr < firstKnown));
        var lost = new List<IOutboxPersisted>();
        var now = Now;
        foreach (var id in wanted)
        {
            _contentWanted.Remove(id);
            if (_state.Unfinished.TryGetValue(id, out var record))
            {
                if (record.Content.IsLoaded)
                {
                    continue; // restated meanwhile
                }
                if (loaded.Contents.TryGetValue(id, out var bytes))
                {
                    _state.LoadContent(record, bytes);
                    continue;
                }
                // Only a damaged store gets here; say so per recipient rather than keep a message that can never be sent.
                _log.Error("Outbox partition {0}: the content of message {1} is missing from journal row {2}", _context.Index, record.Id, record.Content.SequenceNr);
                foreach (var recipient in record.Recipients.Where(r => r.IsPending))
                {
                    lost.Add(new RecipientBounced(record.Id, recipient.Address, null, $"the message content is missing from the outbox journal (row {record.Content.SequenceNr})", false, BounceSource.Smtp, now));
                }
            }
            else if (_state.DsnPending.TryGetValue(id, out var request) && !request.Content.IsLoaded)
            {
                if (loaded.Contents.TryGetValue(id, out var bytes))
                {
                    request.Content.Load(bytes);
                }
                else
                {
                    _log.Error("Outbox partition {0}: the content of message {1} is missing from the journal; its DSN is not sent", _context.Index, id);
                    lost.Add(new DsnQueued(id));
                }
            }
        }
        var restated = new List<IOutboxPersisted>();
        foreach (var id in wanted)
        {
            ReleaseAwaiting(id);
            if (_restateWanted.Remove(id) && _state.Unfinished.TryGetValue(id, out var record) && record.Content.IsLoaded)
            {
                restated.Add(new ContentRestated(id, record.Content.Bytes));
            }
        }
        _loadingContents = false;
        Write(lost, null);
        if (restated.Count > 0)
        {
            // Journaled again at once, then out of memory again: the write's AfterWrite runs the round that waited.
            // Until then no other write's AfterWrite runs a round, which would journal these contents a second time.
            _restateWaitsForContents = false;
            _restating = true;
            Write(restated, () =>
            {
                _restating = false;
                EvictRestated(restated);
            });
        }
        ReportHeld();
        if (_restateWaitsForContents)
        {
            // The round that waited for these contents (none of them needed restating after all). A write under way
            // already has its row numbered, so a snapshot now would claim events not yet applied: that write's
            // AfterWrite runs the round instead.
            _restateWaitsForContents = false;
            if (!_writing && _buffer.Count == 0)
            {
                AfterWrite();
            }
        }
        SendPendingDsns();
        Dispatch();
        LoadWantedContents();
    }
}
