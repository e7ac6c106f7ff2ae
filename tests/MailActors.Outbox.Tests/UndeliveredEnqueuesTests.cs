using Akka.Actor;
using MailActors.Outbox.Actors;
using MailActors.Outbox.Persistence;
using static MailActors.Outbox.Actors.PartitionProtocol;

namespace MailActors.Outbox.Tests;

/// <summary>An enqueue that reaches no partition (a dead letter) is answered, so its caller and reservation never wait forever.</summary>
public sealed class UndeliveredEnqueuesTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task An_enqueue_that_became_a_dead_letter_fails_as_unavailable()
    {
        var responder = Sys.ActorOf(UndeliveredEnqueues.Props());
        await responder.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)); // subscribed by now
        var accepted = new MessageAccepted("m1", default, new StoredEnvelope("a@example.test", ["b@example.test"], null, null, null), new byte[] { 1, 2, 3 }, null, null, 0, []);
        var completion = new TaskCompletionSource<EnqueueResult[]>(TaskCreationOptions.RunContinuationsAsynchronously);

        // What a backoff supervisor does with a message while its partition is stopped.
        Sys.DeadLetters.Tell(new Enqueue([new PreparedMessage(accepted)], completion));

        var error = await Assert.ThrowsAsync<OutboxRejectedException>(() => completion.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(OutboxRejection.Unavailable, error.Reason);
    }
}
