using Akka.Actor;
using Akka.Event;
using static MailActors.Outbox.Actors.PartitionProtocol;

namespace MailActors.Outbox.Actors;

/// <summary>
/// Answers enqueues that reached no partition: sent while a partition was stopped (its backoff supervisor restarting it
/// after a journal failure, or the outbox shutting down) or still in its mailbox when it stopped. Akka turns those into
/// dead letters; unanswered, the caller would wait forever and its reservation of the memory bound would never be given
/// back. Nothing of such an enqueue was journaled, so it fails as unavailable and may simply be tried again. A clean
/// shutdown request that reached no partition is answered as done, for the same reason.
/// </summary>
internal sealed class UndeliveredEnqueues : ReceiveActor
{
    public UndeliveredEnqueues()
    {
        Receive<DeadLetter>(letter =>
        {
            if (letter.Message is Enqueue enqueue)
            {
                enqueue.Completion.TrySetException(new OutboxRejectedException("", OutboxRejection.Unavailable,
                    "The outbox partition was not running (restarting after a journal failure, or stopped); nothing was journaled."));
            }
            else if (letter.Message is Shutdown && !letter.Sender.IsNobody())
            {
                // A partition that is not running has nothing to finish: answered, the outbox's dispose goes on at once
                // instead of waiting out its ask timeout (30 s) for a reply that would never come.
                letter.Sender.Tell(ShutdownDone.Instance);
            }
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new UndeliveredEnqueues());

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
