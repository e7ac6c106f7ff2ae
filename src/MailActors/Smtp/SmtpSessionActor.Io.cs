using System.Buffers;
using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Protocol.Smtp;
using MailActors.Transport;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

// SMTP on the shared wire machinery (WireChannel): commands out in order, replies matched in order to the handlers that
// expect them (which is what makes PIPELINING work), and the endings of an exchange.
public sealed partial class SmtpSessionActor
{
    /// <summary>
    /// A transaction arriving while a pipelined one is served may be held as its successor (see
    /// <see cref="TryHoldSuccessor"/>).
    /// </summary>
    private protected override bool HandleWhileExchanging(object message) =>
        message is Transaction successor && TryHoldSuccessor(successor);

    /// <summary>
    /// The wire's watchdog asks on each tick: ends the session once a transaction has run past its deadline, and keeps
    /// the watchdog going while one runs.
    /// </summary>
    private bool WatchTransactionDeadline()
    {
        if (_transactionStartedAt == 0)
        {
            return false;
        }
        if (System.Diagnostics.Stopwatch.GetElapsedTime(_transactionStartedAt) < _settings.TransactionTimeout)
        {
            return true;
        }
        FailSession(new MailTimeoutException(
            $"The transaction exceeded its {_settings.TransactionTimeout.TotalSeconds:0.#}s deadline; session closed."));
        return false;
    }

    // ---- output ----

    /// <summary>Writes one command and hands its reply to <paramref name="onReply"/>.</summary>
    private void Exchange(SmtpCommand command, Action<SmtpReply> onReply)
    {
        // Expect first: with a reply awaited, the reply timeout guards the write too (see StartNextWrite).
        Expect(command.Verb, onReply);
        Send(command);
    }

    /// <summary>Reports a step that has no reply of its own (connect, TLS handshake).</summary>
    private void ObserveSince(string step, long startedTimestamp) =>
        _observer?.OnStep(step, System.Diagnostics.Stopwatch.GetElapsedTime(startedTimestamp), null);

    /// <summary>Queues a command line for writing and records it in the transcript.</summary>
    private void Send(SmtpCommand command) => Wire.Send(command.ToTranscript(), command.ToWireBytes());

    /// <summary>Queues several commands as one write (a PIPELINING group).</summary>
    private void SendGroup(IReadOnlyList<SmtpCommand> commands) =>
        Wire.SendGroup(commands, command => command.ToTranscript(), (command, buffer) => command.WriteTo(buffer));

    // ---- input ----

    /// <summary>
    /// Registers the handler of the next reply not yet claimed. The observer learns how long <paramref name="step"/>
    /// took, from now until the reply (<see langword="null"/>: a reply that is no step of its own).
    /// </summary>
    private void Expect(string? step, Action<SmtpReply> onReply) =>
        Wire.Expect(new ReplyReader(this, step, step is null || _observer is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp(), onReply));

    /// <summary>
    /// Reads one SMTP reply with the session's parser (which keeps a partial reply between reads) and reports its step.
    /// The timing lives here rather than in a wrapping delegate: one object per expected reply, not three.
    /// </summary>
    private sealed class ReplyReader(SmtpSessionActor session, string? step, long startedAt, Action<SmtpReply> onReply) : IReplyReader
    {
        private SmtpReply? _reply;

        public ReadProgress Read(ref ReadOnlySequence<byte> buffer) =>
            session._parser.TryParse(ref buffer, out _reply) ? ReadProgress.Complete : ReadProgress.NeedMore;

        public void Deliver()
        {
            session.Record(_reply!);
            Answer(_reply!);
            if (_reply!.Code == 421 && session.Link is not null)
            {
                // The server is closing: commands pipelined after this one will never be answered, so each gets the
                // 421 as its answer, and the command in progress completes with an honest result.
                session.Wire.AbandonPending(_reply);
            }
        }

        public void Abandon(object cause) => Answer((SmtpReply)cause);

        private void Answer(SmtpReply reply)
        {
            if (step is not null)
            {
                session._observer?.OnStep(step, System.Diagnostics.Stopwatch.GetElapsedTime(startedAt), reply.Code);
            }
            onReply(reply);
        }
    }

    private void Record(SmtpReply reply)
    {
        _lastReply = reply;
        if (Transcript is null)
        {
            return;
        }
        var sensitive = reply.Code == 334; // SASL challenges: the AUTH exchange is redacted both ways
        for (var i = 0; i < reply.Lines.Count; i++)
        {
            var separator = i == reply.Lines.Count - 1 ? ' ' : '-';
            Transcript.Write(TranscriptDirection.Server, sensitive ? $"{reply.Code}{separator}****" : $"{reply.Code}{separator}{reply.Lines[i]}");
        }
    }

    // ---- endings ----

    private protected override UntypedReceive BeforeRest(UntypedReceive next)
    {
        // Held transactions that could not ride with a content are served next, in the order they arrived.
        ReleaseHeldSuccessors();
        if (_lastReply is { Code: 421 } && Link is not null)
        {
            // 421: the server is closing the channel; whatever we were doing, the session is over.
            ClosedBecause = new MailSessionClosedException($"The server is closing the session: {_lastReply.Text}");
            CloseConnection("421 from server");
            return Closed;
        }
        return next;
    }

    /// <summary>Ends the session: answers the requester with <paramref name="error"/>, closes the socket, rests in Closed.</summary>
    private protected override void FailSession(Exception error)
    {
        Log.Debug("Session to {0} ends: {1}", Link?.Host.ToString() ?? "(none)", error.Message);
        ClosedBecause = error;
        CloseConnection(error.Message);
        if (CurrentCommand == "QUIT")
        {
            // The server hung up before answering QUIT: the goal (a closed session) is reached anyway.
            FinishWith(SmtpReply.Create(221, "connection closed by the server before replying to QUIT"), Closed);
            return;
        }
        _run = null;
        FinishWithFailure(error, Closed);
        // After the current requester (answers go out in the order the transactions were sent).
        FailSuccessorOnWire(error);
    }

    private protected override void CloseConnection(string reason)
    {
        _transactionStartedAt = 0;
        base.CloseConnection(reason);
    }
}
