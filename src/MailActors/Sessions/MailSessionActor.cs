using Akka.Actor;
using Akka.Event;
using MailActors.Transport;

namespace MailActors.Sessions;

/// <summary>
/// What the SMTP and POP3 session actors share: the protocol states are behaviours (named after the state, so the
/// state shown in errors is the behaviour's name); one command is served at a time in the working behaviour
/// <c>Exchanging</c> while later ones wait in the stash; a command that the resting state does not allow is refused at
/// once without touching the wire; every command gets exactly one reply; and a failure ends the session in <c>Closed</c>.
/// The wire itself is a <see cref="WireChannel"/>.
/// </summary>
public abstract class MailSessionActor : UntypedActor, IWithUnboundedStash, IWithTimers
{
    /// <summary>The actor's log.</summary>
    private protected ILoggingAdapter Log { get; } = Context.GetLogger();

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    private protected WireChannel Wire { get; private set; } = null!;

    /// <summary>Who asked for the command being served.</summary>
    private protected IActorRef Requester { get; set; } = ActorRefs.Nobody;

    /// <summary>The name of the command being served, for errors and timeouts.</summary>
    private protected string CurrentCommand { get; set; } = "";

    /// <summary>The resting state: the name of the behaviour the session rests in.</summary>
    private protected string State { get; private set; } = "Disconnected";

    /// <summary>Why the session is closed, once it is.</summary>
    private protected Exception? ClosedBecause { get; set; }

    private readonly TimeSpan _commandTimeout;

    /// <summary>Creates the shared part of a session.</summary>
    /// <param name="commandTimeout">How long the wire waits for a reply.</param>
    /// <param name="transcript">Where commands, responses and connect, TLS and close notes go (already redacted).</param>
    private protected MailSessionActor(TimeSpan commandTimeout, Diagnostics.ITranscript? transcript)
    {
        _commandTimeout = commandTimeout;
        Transcript = transcript;
    }

    /// <summary>The session's transcript, or null.</summary>
    private protected Diagnostics.ITranscript? Transcript { get; }

    /// <summary>The open connection, or null.</summary>
    private protected Connection? Link => Wire.Connection;

    /// <inheritdoc />
    protected override void PreStart()
    {
        Wire = new WireChannel(Self, Timers, Transcript, _commandTimeout, () => CurrentCommand, FailSession);
        Become(Disconnected);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        CloseConnection("session stopped");
        base.PostStop();
    }

    /// <inheritdoc />
    protected override void OnReceive(object message) => Disconnected(message);

    /// <summary>The first resting behaviour: only Connect is legal.</summary>
    private protected abstract void Disconnected(object message);

    /// <summary>The snapshot that answers the protocol's info request.</summary>
    private protected abstract object Snapshot();

    /// <summary>Whether <paramref name="message"/> asks for <see cref="Snapshot"/> (legal in every state).</summary>
    private protected abstract bool IsInfoRequest(object message);

    /// <summary>The resting behaviour named by <see cref="State"/>.</summary>
    private protected abstract UntypedReceive CurrentResting();

    /// <summary>Ends the session: answers the requester with <paramref name="error"/>, closes the connection, rests in Closed.</summary>
    private protected abstract void FailSession(Exception error);

    /// <summary>Handles a message of the working behaviour that is neither I/O nor an info request (SMTP: a transaction held as a successor).</summary>
    private protected virtual bool HandleWhileExchanging(object message) => false;

    /// <summary>Chance to change the state about to be rested in (an SMTP 421 forces Closed).</summary>
    private protected virtual UntypedReceive BeforeRest(UntypedReceive next) => next;

    /// <summary>Closes the connection and cancels the protocol's timers.</summary>
    private protected virtual void CloseConnection(string reason) => Wire?.Close(reason);

    /// <summary>Starts serving <paramref name="command"/>: remembers who asked and works in <c>Exchanging</c>.</summary>
    private protected void Begin(object command)
    {
        Requester = Sender;
        CurrentCommand = command is ISessionCommand c ? c.Name : command.GetType().Name;
        Become(Exchanging);
    }

    /// <summary>The behaviour while a command is on the wire: I/O events drive it; new commands wait in the stash.</summary>
    private void Exchanging(object message)
    {
        if (Wire.Handle(message) || HandleWhileExchanging(message))
        {
            return;
        }
        if (IsInfoRequest(message))
        {
            Sender.Tell(Snapshot());
            return;
        }
        Stash.Stash();
    }

    /// <summary>The session is over: every command is answered with <see cref="MailSessionClosedException"/>.</summary>
    private protected void Closed(object message)
    {
        if (IsInfoRequest(message))
        {
            Sender.Tell(Snapshot());
        }
        else if (message is ISessionCommand command)
        {
            Sender.Tell(new Status.Failure(new MailSessionClosedException(
                $"{command.Name}: the session is closed" + (ClosedBecause is null ? "." : $" ({ClosedBecause.Message})."), ClosedBecause)));
        }
        else
        {
            IgnoreLateIo(message);
        }
    }

    /// <summary>Refuses a command that the resting state does not allow; answers info requests; drops late I/O.</summary>
    private protected void RefuseOrIgnore(object message)
    {
        if (IsInfoRequest(message))
        {
            Sender.Tell(Snapshot());
        }
        else if (message is ISessionCommand)
        {
            Refuse(message, State);
        }
        else
        {
            IgnoreLateIo(message);
        }
    }

    /// <summary>Answers <see cref="MailStateException"/> without touching the wire; returns false so it reads well in a <c>when</c>.</summary>
    private protected bool Refuse(object command, string state)
    {
        var name = command is ISessionCommand c ? c.Name : command.ToString() ?? "?";
        Sender.Tell(new Status.Failure(new MailStateException(name, state)));
        return false;
    }

    private void IgnoreLateIo(object message)
    {
        // Completions of I/O started before a failure can arrive after it; the channel swallows its own.
        if (Wire.Handle(message) || message is Status.Failure)
        {
            return;
        }
        Unhandled(message);
    }

    /// <summary>Answers the requester, rests in <paramref name="next"/> and lets waiting commands in.</summary>
    private protected void FinishWith(object reply, UntypedReceive next)
    {
        Requester.Tell(reply);
        Rest(next);
    }

    /// <summary>Answers the requester with a failure that does not end the session.</summary>
    private protected void FinishWithFailure(Exception error, UntypedReceive next)
    {
        Requester.Tell(new Status.Failure(error));
        Rest(next);
    }

    /// <summary>Rests in <paramref name="next"/> (without answering) and lets waiting commands in.</summary>
    private protected void Rest(UntypedReceive next)
    {
        next = BeforeRest(next);
        Requester = ActorRefs.Nobody;
        State = next.Method.Name;
        Become(next);
        Stash.UnstashAll();
    }
}
