using Akka.Actor;
using Akka.Persistence;
using MailActors.Outbox.Persistence;

namespace MailActors.Outbox.Actors;

/// <summary>Journals the store's partition count once, so a later start with another count still finds every message.</summary>
internal sealed class OutboxMetaActor(string persistenceId, int requestedPartitions, bool passive) : UntypedPersistentActor
{
    private OutboxCreated? _created;

    public override string PersistenceId { get; } = persistenceId;

    public sealed record GetPartitions
    {
        public static GetPartitions Instance { get; } = new();
    }

    public static Props Props(string persistenceId, int partitions, bool passive) =>
        Akka.Actor.Props.Create(() => new OutboxMetaActor(persistenceId, partitions, passive));

    protected override void OnRecover(object message)
    {
        if (message is OutboxCreated created)
        {
            _created = created;
        }
    }

    protected override void OnCommand(object message)
    {
        if (message is not GetPartitions)
        {
            Unhandled(message);
            return;
        }
        if (_created is not null || passive)
        {
            Sender.Tell(_created?.Partitions ?? requestedPartitions);
            return;
        }
        var replyTo = Sender;
        Persist(new OutboxCreated(requestedPartitions, DateTime.UtcNow), e =>
        {
            _created = e;
            replyTo.Tell(e.Partitions);
        });
    }
}
