using Akka.Actor;
using Akka.Persistence;
using MailActors.Outbox.Persistence;

namespace MailActors.Outbox.Actors;

/// <summary>
/// Reads message contents back from a partition's journal after a restart: snapshots refer to the rows that hold them
/// (<see cref="State.StoredContent"/>), and recovery replays only the rows after the snapshot. Replays the rows
/// <c>from..to</c> through the journal's own protocol, keeps the contents of the wanted messages and the size of every
/// row (the partition's cleanup accounting), answers its parent once, then stops.
/// </summary>
internal sealed class ContentLoader : ReceiveActor
{
    /// <summary>The contents found (by message id) and the rows read, oldest first.</summary>
    public sealed record Loaded(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Contents, IReadOnlyList<JournalRow> Rows);

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

    public ContentLoader(IActorRef journal, string persistenceId, long from, long to, IReadOnlySet<string> wanted, TimeSpan timeout)
    {
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
        Receive<RecoverySuccess>(_ => Finish(new Loaded(_contents, _rows)));
        Receive<ReplayMessagesFailure>(failure => Finish(new Failed(failure.Cause)));
        Receive<ReceiveTimeout>(_ => Finish(new Failed(new TimeoutException($"The journal did not replay rows {from}..{to} of {persistenceId} within {timeout}."))));
        Context.SetReceiveTimeout(timeout);
        journal.Tell(new ReplayMessages(from, to, long.MaxValue, persistenceId, Self));
    }

    public static Props Props(IActorRef journal, string persistenceId, long from, long to, IReadOnlySet<string> wanted, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new ContentLoader(journal, persistenceId, from, to, wanted, timeout));

    private void Finish(object answer)
    {
        Context.Parent.Tell(answer);
        Context.Stop(Self);
    }
}
