using Akka.Actor;
using Akka.Persistence;
using MailActors.Outbox.Persistence;

namespace MailActors.Outbox.Actors;

/// <summary>
/// Reads message contents back from a partition's journal rows (<see cref="State.StoredContent"/>): after a restart,
/// since snapshots only refer to the rows and recovery replays only those after the snapshot, and for messages whose
/// contents were evicted from memory during a long deferral. Replays the given ranges of rows one after the other
/// through the journal's own protocol, keeps the contents of the wanted messages and the size of every row read (the
/// partition's cleanup accounting), answers its parent once, then stops.
/// </summary>
internal sealed class ContentLoader : ReceiveActor
{
    /// <summary>The contents found (by message id) and the rows read, oldest first.</summary>
    public sealed record Loaded(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Contents, IReadOnlyList<JournalRow> Rows);

    /// <summary>Rows <paramref name="From"/> to <paramref name="To"/>, both included.</summary>
    public readonly record struct RowRange(long From, long To);

    /// <summary>The journal could not replay the rows.</summary>
    public sealed record Failed(Exception Cause);

    /// <summary>A journal row: its sequence number and the approximate octets of its events.</summary>
    public readonly record struct JournalRow(long SequenceNr, long Bytes)
    {
        public static JournalRow Of(long sequenceNr, IReadOnlyList<IOutboxPersisted> events)
        {
            long bytes = 0;
            foreach (var e in events)
            {
                bytes += OutboxPartition.ApproximateSize(e);
            }
            return new JournalRow(sequenceNr, bytes);
        }
    }

    private readonly Dictionary<string, ReadOnlyMemory<byte>> _contents = new(StringComparer.Ordinal);
    private readonly List<JournalRow> _rows = [];

    private readonly Queue<RowRange> _ranges;

    public ContentLoader(IActorRef journal, string persistenceId, IReadOnlyList<RowRange> ranges, IReadOnlySet<string> wanted, TimeSpan timeout)
    {
        _ranges = new Queue<RowRange>(ranges);
        Receive<ReplayedMessage>(replayed =>
        {
            var events = EventBatch.Unpack((IOutboxPersisted)replayed.Persistent.Payload);
            foreach (var e in events)
            {
                switch (e)
                {
                    case MessageAccepted accepted when wanted.Contains(accepted.MessageId):
                        _contents[accepted.MessageId] = accepted.Content;
                        break;
                    case ContentRestated restated when wanted.Contains(restated.MessageId):
                        _contents[restated.MessageId] = restated.Content;
                        break;
                }
            }
            _rows.Add(JournalRow.Of(replayed.Persistent.SequenceNr, events));
        });
        Receive<RecoverySuccess>(_ => ReplayNext());
        Receive<ReplayMessagesFailure>(failure => Finish(new Failed(failure.Cause)));
        Receive<ReceiveTimeout>(_ => Finish(new Failed(new TimeoutException($"The journal did not replay rows of {persistenceId} within {timeout}."))));
        Context.SetReceiveTimeout(timeout);
        ReplayNext();

        void ReplayNext()
        {
            if (!_ranges.TryDequeue(out var range))
            {
                Finish(new Loaded(_contents, _rows));
                return;
            }
            journal.Tell(new ReplayMessages(range.From, range.To, long.MaxValue, persistenceId, Self));
        }
    }

    public static Props Props(IActorRef journal, string persistenceId, IReadOnlyList<RowRange> ranges, IReadOnlySet<string> wanted, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new ContentLoader(journal, persistenceId, ranges, wanted, timeout));

    /// <summary>The fewest ranges that cover <paramref name="rows"/> without reading rows in between.</summary>
    public static IReadOnlyList<RowRange> Covering(IEnumerable<long> rows)
    {
        var ranges = new List<RowRange>();
        foreach (var row in rows.Distinct().Order())
        {
            if (ranges.Count > 0 && ranges[^1].To + 1 == row)
            {
                ranges[^1] = ranges[^1] with { To = row };
            }
            else
            {
                ranges.Add(new RowRange(row, row));
            }
        }
        return ranges;
    }

    private void Finish(object answer)
    {
        Context.Parent.Tell(answer);
        Context.Stop(Self);
    }
}
