using Akka.Actor;
using Akka.Persistence;
using MailActors.Outbox.Persistence;

namespace MailActors.Outbox.Actors;

/// <summary>Journals the store's partition count once, so a later start with another count still finds every message.</summary>
internal sealed class OutboxMetaActor(string persistenceId, int requestedPartitions, bool passive, Action<Exception> recoveryFailed) : UntypedPersistentActor
{
    private OutboxCreated? _created;

    public override string PersistenceId { get; } = persistenceId;

    public sealed record GetPartitions
    {
        public static GetPartitions Instance { get; } = new();
    }

    // recoveryFailed is told why the journal could not be read: the actor stops then, and the start that asked it would
    // otherwise wait out its ask for an answer that never comes.
    public static Props Props(string persistenceId, int partitions, bool passive, Action<Exception> recoveryFailed) =>
        Akka.Actor.Props.Create(() => new OutboxMetaActor(persistenceId, partitions, passive, recoveryFailed));

    // Not logged as well: the start throws it, with the cause.
    protected override void OnRecoveryFailure(Exception reason, object? message = null) => recoveryFailed(reason);

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
