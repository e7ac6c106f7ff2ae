using System.Buffers;
using System.IO.Pipelines;
using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Protocol;
using Akka.Event;
using MailActors.Protocol.Smtp;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

// The wire machinery: one write in flight at a time (queued in order), reads pulled only while a reply is awaited,
// replies matched in order to the handlers that expect them (which is what makes PIPELINING work), a timer on every wait.
public sealed partial class SmtpSessionActor
{
    private sealed record Opened(Transport.Connection Connection);
    private sealed record ReadCompleted(ReadResult Result);
    private sealed record WriteCompleted(long Bytes);
    private sealed record TlsEstablished;
    private sealed record IoFailed(Exception Cause);
    private sealed record ReplyTimedOut(long Generation);
    private sealed record TransactionDeadline(long Generation);

    private const string ReplyTimerKey = "reply-timeout";
    private const string TransactionTimerKey = "transaction-deadline";

    private readonly Queue<Action<SmtpReply>> _expected = new();
    private readonly Queue<WriteJob> _writes = new();
    private readonly List<SmtpReply> _parsed = new(8);
    private bool _reading;
    private bool _writing;
    private long _timerGeneration;
    private UntypedReceive _resumeTo = null!;

    /// <summary>A unit of output: bytes, or a job that writes content itself; <c>then</c> runs once it is on the wire.</summary>
    private sealed record WriteJob(ReadOnlyMemory<byte> Bytes, Func<Stream, CancellationToken, Task<long>>? Pump, Action? Then);

    /// <summary>The behaviour while a command is on the wire: I/O events drive it; new commands wait in the stash.</summary>
    private void Exchanging(object message)
    {
        switch (message)
        {
            case ReadCompleted read:
                OnRead(read.Result);
                break;
            case WriteCompleted written:
                OnWritten(written.Bytes);
                break;
            case Opened opened:
                OnOpened(opened.Connection);
                break;
            case TlsEstablished:
                OnTlsEstablished();
                break;
            case Resume resume:
                resume.Continuation();
                break;
            case IoFailed failed:
                FailSession(Translate(failed.Cause));
                break;
            case ReplyTimedOut timedOut when timedOut.Generation == _timerGeneration:
                FailSession(new MailTimeoutException(
                    $"No reply to {_currentCommand} within {_settings.CommandTimeout.TotalSeconds:0.#}s; session closed."));
                break;
            case TransactionDeadline deadline when deadline.Generation == _transactionGeneration:
                FailSession(new MailTimeoutException(
                    $"The transaction exceeded its {_settings.TransactionTimeout.TotalSeconds:0.#}s deadline; session closed."));
                break;
            case ReplyTimedOut or TransactionDeadline:
                break;
            case GetInfo:
                Sender.Tell(Snapshot());
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    // ---- output ----

    /// <summary>Writes one command and hands its reply to <paramref name="onReply"/>.</summary>
    private void Exchange(SmtpCommand command, Action<SmtpReply> onReply)
    {
        // Expect first: with a reply awaited, the reply timer guards the write too (see StartNextWrite).
        Expect(Timed(command.Verb, onReply));
        Send(command);
    }

    /// <summary>Wraps a reply handler so the observer learns how long the step took.</summary>
    private Action<SmtpReply> Timed(string step, Action<SmtpReply> onReply)
    {
        if (_observer is null)
        {
            return onReply;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        return reply =>
        {
            _observer.OnStep(step, System.Diagnostics.Stopwatch.GetElapsedTime(started), reply.Code);
            onReply(reply);
        };
    }

    /// <summary>Reports a step that has no reply of its own (connect, TLS handshake).</summary>
    private void ObserveSince(string step, long startedTimestamp) =>
        _observer?.OnStep(step, System.Diagnostics.Stopwatch.GetElapsedTime(startedTimestamp), null);

    /// <summary>Queues a command line for writing and records it in the transcript.</summary>
    private void Send(SmtpCommand command)
    {
        _transcript?.Write(TranscriptDirection.Client, command.ToTranscript());
        EnqueueWrite(new WriteJob(command.ToWireBytes(), null, null));
    }

    /// <summary>Queues several commands as one write (a PIPELINING group).</summary>
    private void SendGroup(IReadOnlyList<SmtpCommand> commands)
    {
        var buffer = new Transport.PooledBufferWriter(commands.Count * 64);
        foreach (var command in commands)
        {
            _transcript?.Write(TranscriptDirection.Client, command.ToTranscript());
            command.WriteTo(buffer);
        }
        EnqueueWrite(new WriteJob(buffer.WrittenMemory, null, buffer.Dispose));
    }

    private void EnqueueWrite(WriteJob job)
    {
        _writes.Enqueue(job);
        if (!_writing)
        {
            StartNextWrite();
        }
    }

    private void StartNextWrite()
    {
        if (_connection is null || !_writes.TryPeek(out var job))
        {
            return;
        }
        _writing = true;
        var stream = _connection.Stream;
        if (job.Pump is { } pump)
        {
            pump(stream, CancellationToken.None).PipeTo(Self, success: n => new WriteCompleted(n), failure: e => new IoFailed(e));
            return;
        }
        if (_expected.Count == 0)
        {
            // Nothing awaits a reply, so no reply timer would notice a stalled write: give this write its own timeout.
            WriteBytesAsync(stream, job.Bytes, _settings.CommandTimeout)
                .PipeTo(Self, success: n => new WriteCompleted(n), failure: e => new IoFailed(e));
            return;
        }
        // A reply is awaited, so the reply timer also bounds this write. Small writes usually complete at once; handling
        // those inline saves an actor message per write, which matters at tens of thousands of messages per second.
        var pending = stream.WriteAsync(job.Bytes);
        if (pending.IsCompletedSuccessfully)
        {
            OnWritten(job.Bytes.Length);
            return;
        }
        var length = job.Bytes.Length;
        pending.AsTask().PipeTo(Self, success: () => new WriteCompleted(length), failure: e => new IoFailed(e));
    }

    private static async Task<long> WriteBytesAsync(Stream stream, ReadOnlyMemory<byte> bytes, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await stream.WriteAsync(bytes, cts.Token).ConfigureAwait(false);
        return bytes.Length;
    }

    private void OnWritten(long bytes)
    {
        _writing = false;
        var job = _writes.Dequeue();
        job.Then?.Invoke();
        if (_connection is not null)
        {
            StartNextWrite();
        }
    }

    // ---- input ----

    /// <summary>Registers the handler of the next reply not yet claimed, and makes sure a read is pulling.</summary>
    private void Expect(Action<SmtpReply> onReply)
    {
        _expected.Enqueue(onReply);
        Pull();
    }

    private void Pull()
    {
        if (_reading || _expected.Count == 0 || _reader is null)
        {
            return;
        }
        _reading = true;
        var pending = _reader.ReadAsync();
        if (pending.IsCompletedSuccessfully)
        {
            OnRead(pending.Result); // bytes already buffered: no timer, no message
            return;
        }
        Timers.StartSingleTimer(ReplyTimerKey, new ReplyTimedOut(++_timerGeneration), _settings.CommandTimeout);
        pending.AsTask().PipeTo(Self, success: r => new ReadCompleted(r), failure: e => new IoFailed(e));
    }

    private void OnRead(ReadResult result)
    {
        _reading = false;
        Timers.Cancel(ReplyTimerKey);
        _timerGeneration++;
        var reader = _reader!;
        var buffer = result.Buffer;
        _parsed.Clear();
        try
        {
            while (_parsed.Count < _expected.Count && _parser.TryParse(ref buffer, out var reply))
            {
                _parsed.Add(reply!);
            }
        }
        catch (MailProtocolException e)
        {
            reader.AdvanceTo(buffer.Start, buffer.End);
            FailSession(e);
            return;
        }
        var satisfied = _parsed.Count == _expected.Count;
        // When every waiter got its reply, leave the rest unexamined: it belongs to later commands (or is an attack
        // after STARTTLS, in which case the reader is discarded with it).
        reader.AdvanceTo(buffer.Start, satisfied ? buffer.Start : buffer.End);
        var serverClosed = result.IsCompleted && !satisfied;

        foreach (var reply in _parsed.ToArray())
        {
            Record(reply);
            var handler = _expected.Dequeue();
            handler(reply);
            if (_connection is null)
            {
                return; // the handler ended the session
            }
            if (reply.Code == 421)
            {
                // The server is closing: commands pipelined after this one will never be answered, so each gets the
                // 421 as its answer, and the command in progress completes with an honest result.
                while (_expected.TryDequeue(out var abandoned))
                {
                    abandoned(reply);
                    if (_connection is null)
                    {
                        return;
                    }
                }
                return;
            }
        }
        if (serverClosed)
        {
            FailSession(new MailSessionClosedException($"The server closed the connection while {_currentCommand} awaited a reply."));
            return;
        }
        Pull();
    }

    private void Record(SmtpReply reply)
    {
        _lastReply = reply;
        if (_transcript is null)
        {
            return;
        }
        var sensitive = reply.Code == 334; // SASL challenges: the AUTH exchange is redacted both ways
        for (var i = 0; i < reply.Lines.Count; i++)
        {
            var separator = i == reply.Lines.Count - 1 ? ' ' : '-';
            _transcript.Write(TranscriptDirection.Server, sensitive ? $"{reply.Code}{separator}****" : $"{reply.Code}{separator}{reply.Lines[i]}");
        }
    }

    // ---- endings ----

    /// <summary>Answers the requester, rests in <paramref name="next"/> and lets waiting commands in.</summary>
    private void FinishWith(object reply, UntypedReceive next)
    {
        _requester.Tell(reply);
        Rest(next);
    }

    /// <summary>Answers the requester with a failure that does not end the session.</summary>
    private void FinishWithFailure(Exception error, UntypedReceive next)
    {
        _requester.Tell(new Status.Failure(error));
        Rest(next);
    }

    private void Rest(UntypedReceive next)
    {
        if (_lastReply is { Code: 421 } && _connection is not null)
        {
            // 421: the server is closing the channel; whatever we were doing, the session is over.
            _closedBecause = new MailSessionClosedException($"The server is closing the session: {_lastReply.Text}");
            CloseConnection("421 from server");
            next = Closed;
        }
        _requester = ActorRefs.Nobody;
        _state = next.Method.Name;
        Become(next);
        Stash.UnstashAll();
    }

    /// <summary>Ends the session: answers the requester with <paramref name="error"/>, closes the socket, rests in Closed.</summary>
    private void FailSession(Exception error)
    {
        _log.Debug("Session to {0} ends: {1}", _connection?.Host.ToString() ?? "(none)", error.Message);
        _closedBecause = error;
        CloseConnection(error.Message);
        _expected.Clear();
        _writes.Clear();
        _writing = false;
        _reading = false;
        if (_currentCommand == "QUIT")
        {
            // The server hung up before answering QUIT: the goal (a closed session) is reached anyway.
            FinishWith(SmtpReply.Create(221, "connection closed by the server before replying to QUIT"), Closed);
            return;
        }
        FinishWithFailure(error, Closed);
    }

    private void CloseConnection(string reason)
    {
        Timers?.CancelAll();
        if (_connection is null)
        {
            return;
        }
        _transcript?.Write(TranscriptDirection.Info, "closed: " + reason);
        _reader?.Complete();
        _reader = null;
        _connection.Abort();
        _connection = null;
    }

    private static Exception Translate(Exception cause) => cause switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Translate(aggregate.InnerException!),
        OperationCanceledException => new MailTimeoutException("A write did not complete within the command timeout; session closed."),
        MailProtocolException or MailConnectException or MailTimeoutException or MailContentException => cause,
        IOException or System.Net.Sockets.SocketException or ObjectDisposedException =>
            new MailSessionClosedException("The connection failed: " + cause.Message, cause),
        _ => cause,
    };
}
