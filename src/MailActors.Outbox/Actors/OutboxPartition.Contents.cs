using Akka.Actor;
using Akka.Event;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;

namespace MailActors.Outbox.Actors;

// Message contents live in the journal rows that accepted them, not in snapshots (see StoredContent): which rows the
// cleanup must keep, restating contents that keep too many old rows alive, and reading them back after a restart.
internal sealed partial class OutboxPartition
{
    // Journal rows not yet deleted (as far as this incarnation knows them), oldest first, with their approximate size.
    private readonly List<ContentLoader.JournalRow> _rows = [];
    // The snapshot recovery started from: the newest row a content read back after a restart can be in.
    private long _snapshotSequenceNr;
    private long _deletedUpTo;
    // While true, some unfinished message's content is still being read back: nothing is dispatched.
    private bool _loadingContents;
    private bool _restating;

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
    /// of its content now and then instead of keeping every finished message journaled after it.
    /// </summary>
    private List<IOutboxPersisted> RestateOldContents()
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
            restated.Add(new ContentRestated(record.Id, record.Content.Bytes));
            retained += ApproximateSize(restated[^1]);
        }
        return restated;
    }

    /// <summary>After recovery: reads back the contents the snapshot referred to, before anything is sent again.</summary>
    private void LoadContents()
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var from = long.MaxValue;
        foreach (var record in _state.Unfinished.Values.Where(r => !r.Content.IsLoaded))
        {
            wanted.Add(record.Id);
            from = Math.Min(from, record.Content.SequenceNr);
        }
        foreach (var request in _state.DsnPending.Values.Where(r => !r.Content.IsLoaded))
        {
            wanted.Add(request.MessageId);
            from = Math.Min(from, request.Content.SequenceNr);
        }
        if (wanted.Count == 0)
        {
            return;
        }
        _loadingContents = true;
        var journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(JournalPluginId);
        Context.ActorOf(ContentLoader.Props(journal, PersistenceId, from, _snapshotSequenceNr, wanted, ContentLoadTimeout), "content-loader");
    }

    private void OnContentsLoaded(ContentLoader.Loaded loaded)
    {
        var firstKnown = _rows.Count > 0 ? _rows[0].SequenceNr : long.MaxValue;
        _rows.InsertRange(0, loaded.Rows.Where(r => r.SequenceNr < firstKnown));
        var lost = new List<IOutboxPersisted>();
        var now = Now;
        foreach (var record in _state.Unfinished.Values.Where(r => !r.Content.IsLoaded))
        {
            if (loaded.Contents.TryGetValue(record.Id, out var bytes))
            {
                record.Content.Load(bytes);
                continue;
            }
            // Only a damaged store gets here; say so per recipient rather than keep a message that can never be sent.
            _log.Error("Outbox partition {0}: the content of message {1} is missing from journal row {2}", _context.Index, record.Id, record.Content.SequenceNr);
            foreach (var recipient in record.Recipients.Where(r => r.IsPending))
            {
                lost.Add(new RecipientBounced(record.Id, recipient.Address, null, $"the message content is missing from the outbox journal (row {record.Content.SequenceNr})", false, BounceSource.Smtp, now));
            }
        }
        foreach (var request in _state.DsnPending.Values.Where(r => !r.Content.IsLoaded))
        {
            if (loaded.Contents.TryGetValue(request.MessageId, out var bytes))
            {
                request.Content.Load(bytes);
            }
            else
            {
                _log.Error("Outbox partition {0}: the content of message {1} is missing from the journal; its DSN is not sent", _context.Index, request.MessageId);
                lost.Add(new DsnQueued(request.MessageId));
            }
        }
        _loadingContents = false;
        Write(lost, null);
        SendPendingDsns();
        Dispatch();
    }
}
