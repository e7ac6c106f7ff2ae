using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Protocol;

namespace MailActors.Transport;

/// <summary>
/// The wire machinery of a session actor, shared by the SMTP and POP3 sessions: it owns the connection, writes one job
/// at a time in order, pulls reads only while some reply is expected (each reply under the reply timeout), and offers
/// the received bytes to the expected replies' readers in order — which is what makes pipelining work. Every method
/// runs on the owning actor's thread; I/O completions come back as <see cref="IEvent"/> messages that the actor hands
/// to <see cref="Handle"/>. A failure is reported once through the <c>fail</c> callback, which is expected to end the
/// session (and call <see cref="Close"/>).
/// </summary>
internal sealed class WireChannel
{
    /// <summary>Marker of the I/O completions the channel sends to its actor.</summary>
    internal interface IEvent;

    private sealed record Opened(Connection Connection, Action Then) : IEvent;
    private sealed record ReadCompleted(ReadResult Result) : IEvent;
    private sealed record WriteCompleted(long Bytes) : IEvent;
    private sealed record TlsEstablished(Action Then) : IEvent;
    private sealed record IoFailed(Exception Cause) : IEvent;
    private sealed record WatchdogTick : IEvent
    {
        public static WatchdogTick Instance { get; } = new();
    }
    private sealed record Resume(Action Continuation) : IEvent;

    /// <summary>A unit of output: bytes, or a job that writes content itself; <c>Then</c> runs once it is on the wire.</summary>
    private sealed record WriteJob(ReadOnlyMemory<byte> Bytes, Func<Stream, CancellationToken, Task<long>>? Pump, Action? Then);

    private const string WatchdogKey = "wire-watchdog";

    private readonly IActorRef _self;
    private readonly ITimerScheduler _timers;
    private readonly ITranscript? _transcript;
    private readonly TimeSpan _timeout;
    private readonly Func<string> _awaiting;
    private readonly Action<Exception> _fail;
    private readonly Queue<IReplyReader> _expected = new();
    private readonly Queue<WriteJob> _writes = new();
    private readonly Queue<IReplyReader> _completed = new(8);
    private PipeReader? _reader;
    private ValueTask<ReadResult> _pendingRead;
    private readonly Action _readDone;
    private bool _reading;
    private bool _writing;
    private bool _held;
    private bool _delivering;
    private bool _closed;
    // Cancelled by Close. It reaches work that runs off the actor and may outlive it: a connect or handshake still under
    // way is abandoned, and a connection that opens anyway is aborted by its own continuation, because the Opened
    // message cannot be relied on once the actor has stopped (it goes to dead letters). Never disposed: it has no timer,
    // and a continuation may still register on its token after Close.
    private readonly CancellationTokenSource _lifetime = new();
    // The reply timeout is checked by a periodic watchdog rather than a timer per read: starting and cancelling a
    // scheduler timer for every read (and every transaction) was a measurable share of the CPU per message.
    private TimeSpan _watchdogInterval;
    private Func<bool>? _ownerCheck;
    // When the wait for the reply at the head of the queue began. The reply timeout bounds a whole reply, not each read
    // (a server that drips a multi-line reply a line at a time must not hold the session for ever), so the clock starts
    // at the first wait for a reply and stops only when a reply completes. Only a reader streaming a body
    // (IReplyReader.InBody) restarts it on every read: a large POP3 RETR may take long while bytes keep coming.
    private long _replyWaitStartedAt;
    private bool _replyClockRunning;
    private bool _watching;
    private int _quietTicks;

    /// <param name="self">The owning actor, which receives the <see cref="IEvent"/>s.</param>
    /// <param name="timers">The actor's timers (for the watchdog that checks the reply timeout).</param>
    /// <param name="transcript">Where connect, TLS and close notes go.</param>
    /// <param name="timeout">Longest wait for an expected reply as a whole (for a body being streamed: for its next
    /// bytes), and for a write.</param>
    /// <param name="awaiting">Names what is being waited for, for error messages.</param>
    /// <param name="fail">Ends the session with the given error.</param>
    public WireChannel(IActorRef self, ITimerScheduler timers, ITranscript? transcript, TimeSpan timeout, Func<string> awaiting, Action<Exception> fail)
    {
        _self = self;
        _timers = timers;
        _transcript = transcript;
        _timeout = timeout;
        _awaiting = awaiting;
        _fail = fail;
        _watchdogInterval = IntervalFor(timeout);
        _readDone = ReadDone;
    }

    /// <summary>
    /// Adds the owner's own deadline (the SMTP transaction deadline) to the watchdog: <paramref name="check"/> runs on
    /// every tick and returns true while that deadline runs, which keeps the watchdog going while no reply is awaited;
    /// ticks come often enough for <paramref name="deadline"/> too.
    /// </summary>
    public void AlsoWatch(Func<bool> check, TimeSpan deadline)
    {
        _ownerCheck = check;
        _watchdogInterval = TimeSpan.FromTicks(Math.Min(_watchdogInterval.Ticks, IntervalFor(deadline).Ticks));
    }

    private static TimeSpan IntervalFor(TimeSpan timeout) =>
        TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));

    /// <summary>The open connection; null before it opens and after <see cref="Close"/>.</summary>
    public Connection? Connection { get; private set; }

    /// <summary>Replies expected and not yet delivered.</summary>
    public int PendingReplies => _expected.Count;

    // ---- opening and TLS ----

    /// <summary>
    /// Opens a connection as <paramref name="spec"/> says and runs <paramref name="then"/> once it is up. Closing the
    /// channel meanwhile cancels the connect (and an implicit TLS handshake), and aborts a connection that opens anyway.
    /// </summary>
    public void Open(ConnectionSpec spec, Action then) =>
        OpenOwnedAsync(spec, _lifetime.Token)
            .PipeTo(_self, success: c => new Opened(c, then), failure: e => new IoFailed(e));

    private static async Task<Connection> OpenOwnedAsync(ConnectionSpec spec, CancellationToken closed)
    {
        var connection = await Connection.OpenAsync(spec, closed).ConfigureAwait(false);
        // Registered before the actor hears of the connection, so there is no gap: if Close has run already, Abort runs
        // here at once; if it runs later, Abort runs from Close (which aborts the connection itself too: Abort is
        // idempotent). The registration lives as long as the channel; one connection per channel.
        closed.UnsafeRegister(static c => ((Connection)c!).Abort(), connection);
        return connection;
    }

    /// <summary>
    /// Upgrades the open connection to TLS and runs <paramref name="then"/> once the handshake succeeded. Whatever the
    /// server sent in plaintext after its go-ahead is dropped unread with the old reader: it can never be taken as a
    /// reply from the TLS session (CVE-2011-0411 style injection).
    /// </summary>
    public void StartTls(TlsOptions options, Action then)
    {
        _reader?.Complete();
        _reader = null;
        UpgradeAsync(Connection!, options, _timeout, _lifetime.Token)
            .PipeTo(_self, success: () => new TlsEstablished(then), failure: e => new IoFailed(new MailConnectException("TLS handshake failed: " + e.Message, e) { IsTlsFailure = true }));
    }

    // No reply is awaited during the handshake, so the watchdog does not guard it: it has a timeout of its own.
    private static async Task UpgradeAsync(Connection connection, TlsOptions options, TimeSpan timeout, CancellationToken closed)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(closed);
        deadline.CancelAfter(timeout);
        try
        {
            await connection.UpgradeToTlsAsync(options, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !closed.IsCancellationRequested)
        {
            throw new MailTimeoutException($"The handshake did not complete within {timeout.TotalSeconds:0.#}s.");
        }
    }

    /// <summary>Runs <paramref name="then"/> on the actor once <paramref name="task"/> completes; a fault ends the session.</summary>
    public void Await<T>(Task<T> task, Action<T> then) =>
        task.PipeTo(_self, success: value => new Resume(() => then(value)), failure: e => new IoFailed(e));

    /// <summary>Runs <paramref name="then"/> on the actor once <paramref name="task"/> completes; a fault ends the session.</summary>
    public void Await(Task task, Action then) =>
        task.PipeTo(_self, success: () => new Resume(then), failure: e => new IoFailed(e));

    /// <summary>
    /// Handles a message if it is one of this channel's events (returns true); late events after <see cref="Close"/> are
    /// swallowed. Other messages are left to the actor (returns false).
    /// </summary>
    public bool Handle(object message)
    {
        if (message is not IEvent)
        {
            return false;
        }
        if (_closed)
        {
            // Completions of I/O started before the session ended carry nothing useful; a connection that opened after
            // it ended has already been aborted by its own continuation (see OpenOwnedAsync).
            return true;
        }
        switch (message)
        {
            case Opened opened:
                OnOpened(opened.Connection, opened.Then);
                break;
            case Resume resume:
                resume.Continuation();
                break;
            case IoFailed failed:
                _fail(Translate(failed.Cause));
                break;
            case ReadCompleted read:
                OnRead(read.Result);
                break;
            case WriteCompleted:
                OnWritten();
                break;
            case TlsEstablished established:
                OnTlsEstablished(established.Then);
                break;
            case WatchdogTick:
                OnTick();
                break;
        }
        return true;
    }

    private void OnOpened(Connection connection, Action then)
    {
        Connection = connection;
        _reader = NewReader(connection.Stream);
        _transcript?.Write(TranscriptDirection.Info, $"connected to {connection.Host} ({connection.RemoteEndPoint})"
            + (connection.Tls is { } tls ? $", {tls.SslProtocol} {tls.NegotiatedCipherSuite}" : ""));
        then();
    }

    private void OnTlsEstablished(Action then)
    {
        var tls = Connection!.Tls!;
        _reader = NewReader(tls);
        _transcript?.Write(TranscriptDirection.Info, $"TLS established: {tls.SslProtocol} {tls.NegotiatedCipherSuite}");
        then();
    }

    private static PipeReader NewReader(Stream stream) =>
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true));

    // ---- output ----

    /// <summary>Records a command line in the transcript (as given: already redacted) and queues its bytes.</summary>
    public void Send(string transcriptLine, ReadOnlyMemory<byte> bytes)
    {
        _transcript?.Write(TranscriptDirection.Client, transcriptLine);
        Write(bytes);
    }

    /// <summary>Records several command lines and queues them as one write (a pipelined group) from a pooled buffer.</summary>
    public void SendGroup<TCommand>(IReadOnlyList<TCommand> commands, Func<TCommand, string> transcriptLine, Action<TCommand, IBufferWriter<byte>> writeTo)
    {
        var buffer = new PooledBufferWriter(commands.Count * 64);
        foreach (var command in commands)
        {
            _transcript?.Write(TranscriptDirection.Client, transcriptLine(command));
            writeTo(command, buffer);
        }
        Write(buffer.WrittenMemory, buffer.Dispose);
    }

    /// <summary>Queues bytes for writing; <paramref name="then"/> runs once they are on the wire.</summary>
    public void Write(ReadOnlyMemory<byte> bytes, Action? then = null) => Enqueue(new WriteJob(bytes, null, then));

    /// <summary>Queues a job that writes to the stream itself (content streaming); <paramref name="then"/> runs after it.</summary>
    public void WritePump(Func<Stream, CancellationToken, Task<long>> pump, Action? then = null) => Enqueue(new WriteJob(default, pump, then));

    private void Enqueue(WriteJob job)
    {
        _writes.Enqueue(job);
        StartNextWrite();
    }

    private void StartNextWrite()
    {
        // A continuation run by OnWritten may already have started the next write.
        if (_writing || Connection is null || !_writes.TryPeek(out var job))
        {
            return;
        }
        _writing = true;
        var stream = Connection.Stream;
        if (job.Pump is { } pump)
        {
            pump(stream, CancellationToken.None).PipeTo(_self, success: n => new WriteCompleted(n), failure: e => new IoFailed(e));
            return;
        }
        if (_expected.Count == 0)
        {
            // Nothing awaits a reply, so no reply timeout would notice a stalled write: give this write its own timeout.
            WriteBytesAsync(stream, job.Bytes, _timeout).PipeTo(_self, success: n => new WriteCompleted(n), failure: e => new IoFailed(e));
            return;
        }
        // A reply is awaited, so the reply timeout also bounds this write. Small writes usually complete at once; handling
        // those inline saves an actor message per write, which matters at tens of thousands of messages per second.
        var pending = stream.WriteAsync(job.Bytes);
        if (pending.IsCompletedSuccessfully)
        {
            OnWritten();
            return;
        }
        var length = job.Bytes.Length;
        pending.AsTask().PipeTo(_self, success: () => new WriteCompleted(length), failure: e => new IoFailed(e));
    }

    private static async Task<long> WriteBytesAsync(Stream stream, ReadOnlyMemory<byte> bytes, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await stream.WriteAsync(bytes, cts.Token).ConfigureAwait(false);
        return bytes.Length;
    }

    private void OnWritten()
    {
        _writing = false;
        var job = _writes.Dequeue();
        job.Then?.Invoke();
        if (Connection is not null)
        {
            StartNextWrite();
        }
    }

    // ---- input ----

    /// <summary>Expects one more reply, read by <paramref name="reader"/> after the replies expected before it.</summary>
    public void Expect(IReplyReader reader)
    {
        _expected.Enqueue(reader);
        Pull();
    }

    /// <summary>Runs <paramref name="then"/> right after the reply expected last has been delivered (at once when none is pending).</summary>
    public void AfterPending(Action then)
    {
        if (_expected.Count == 0)
        {
            then();
            return;
        }
        var readers = _expected.ToArray();
        _expected.Clear();
        for (var i = 0; i < readers.Length - 1; i++)
        {
            _expected.Enqueue(readers[i]);
        }
        _expected.Enqueue(new FollowedBy(readers[^1], then));
    }

    /// <summary>Lets a reader that answered <see cref="ReadProgress.Hold"/> be offered bytes again.</summary>
    public void Release()
    {
        if (!_held || Connection is null)
        {
            return;
        }
        _held = false;
        // The held reader may already have all it needs (its end arrived before it held): let it finish without new bytes.
        var empty = ReadOnlySequence<byte>.Empty;
        if (Offer(ref empty, out _) is { } broken)
        {
            _fail(broken);
            return;
        }
        if (!DeliverCompleted())
        {
            return;
        }
        Pull();
    }

    private void Pull()
    {
        // While replies are being delivered, a handler that expects the next one must not start a read: a read that
        // completes at once would deliver later replies before the ones still waiting. The delivery loop pulls after.
        if (_reading || _held || _delivering || _expected.Count == 0 || _reader is null)
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
        if (!_replyClockRunning || _expected.Peek().InBody)
        {
            _replyWaitStartedAt = Stopwatch.GetTimestamp();
            _replyClockRunning = true;
        }
        KeepWatch();
        // One read is outstanding at a time, so its completion can go through one cached callback: no Task, state
        // machine or closure per read (PipeTo allocated all three, for every reply that was not yet buffered).
        _pendingRead = pending;
        pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_readDone);
    }

    /// <summary>
    /// Runs on the thread that completed the read and hands its outcome to the actor. <see cref="_pendingRead"/> is safe
    /// to read here: the actor starts no other read before this one's outcome arrived, and none at all once closed.
    /// </summary>
    private void ReadDone()
    {
        object outcome;
        try
        {
            outcome = new ReadCompleted(_pendingRead.GetAwaiter().GetResult());
        }
        catch (Exception e)
        {
            outcome = new IoFailed(e);
        }
        _self.Tell(outcome);
    }

    private void OnRead(ReadResult result)
    {
        _reading = false;
        var reader = _reader!;
        var buffer = result.Buffer;
        var broken = Offer(ref buffer, out var satisfied);
        if (broken is not null)
        {
            reader.AdvanceTo(buffer.Start, buffer.End);
            _fail(broken);
            return;
        }
        // When every reader got its reply (or one holds), leave the rest unexamined: it belongs to later replies, or is
        // an attack after STARTTLS/STLS, in which case the reader is discarded with it.
        reader.AdvanceTo(buffer.Start, satisfied || _held ? buffer.Start : buffer.End);
        var serverClosed = result.IsCompleted && !satisfied && !_held;
        if (!DeliverCompleted())
        {
            return;
        }
        if (serverClosed)
        {
            _fail(new MailSessionClosedException($"The server closed the connection while {_awaiting()} awaited a reply."));
            return;
        }
        Pull();
    }

    /// <summary>Offers <paramref name="buffer"/> to the expected readers in order; returns the error when the server broke the protocol.</summary>
    private MailProtocolException? Offer(ref ReadOnlySequence<byte> buffer, out bool satisfied)
    {
        _completed.Clear();
        try
        {
            while (_expected.TryPeek(out var head))
            {
                var progress = head.Read(ref buffer);
                if (progress == ReadProgress.Complete)
                {
                    _completed.Enqueue(_expected.Dequeue());
                    _replyClockRunning = false; // the next reply gets a timeout of its own
                    continue;
                }
                _held = progress == ReadProgress.Hold;
                break;
            }
        }
        catch (MailProtocolException e)
        {
            satisfied = false;
            return e;
        }
        satisfied = _expected.Count == 0;
        return null;
    }

    /// <summary>Delivers the readers completed by the last offer; false when a delivery ended the session.</summary>
    private bool DeliverCompleted()
    {
        _delivering = true;
        try
        {
            while (_completed.TryDequeue(out var done))
            {
                done.Deliver();
                if (Connection is null)
                {
                    return false;
                }
            }
            return true;
        }
        finally
        {
            _delivering = false;
        }
    }

    /// <summary>
    /// Gives up on every reply still expected — read but not yet delivered, or not yet read — because the server
    /// announced it is closing (SMTP 421): each reader is handed <paramref name="cause"/> instead, in order.
    /// </summary>
    public void AbandonPending(object cause)
    {
        _replyClockRunning = false;
        while (_completed.TryDequeue(out var reader) || _expected.TryDequeue(out reader))
        {
            reader.Abandon(cause);
            if (Connection is null)
            {
                return;
            }
        }
    }

    // ---- the watchdog ----

    /// <summary>
    /// Makes sure the watchdog runs: while a read is outstanding it checks how long the reply at the head of the queue
    /// has been awaited (see <see cref="_replyWaitStartedAt"/>), every quarter of the timeout (at most every second, so
    /// a timeout is noticed up to that much late), and it stops after two quiet ticks.
    /// </summary>
    public void KeepWatch()
    {
        if (_watching || _closed)
        {
            return;
        }
        _watching = true;
        _quietTicks = 0;
        _timers.StartPeriodicTimer(WatchdogKey, WatchdogTick.Instance, _watchdogInterval);
    }

    private void OnTick()
    {
        if (_closed)
        {
            return; // a tick already queued when Close cancelled the watchdog
        }
        if (_reading && _replyClockRunning && Stopwatch.GetElapsedTime(_replyWaitStartedAt) >= _timeout)
        {
            _fail(new MailTimeoutException($"No reply to {_awaiting()} within {_timeout.TotalSeconds:0.#}s; session closed."));
            return;
        }
        var ownerWatching = _ownerCheck?.Invoke() ?? false;
        if (_reading || ownerWatching)
        {
            _quietTicks = 0;
            return;
        }
        if (++_quietTicks >= 2)
        {
            _timers.Cancel(WatchdogKey);
            _watching = false;
        }
    }

    // ---- closing ----

    /// <summary>Tears the connection down and forgets everything in flight; safe to call twice.</summary>
    public void Close(string reason)
    {
        _closed = true;
        _timers.Cancel(WatchdogKey);
        _watching = false;
        _completed.Clear();
        _expected.Clear();
        _writes.Clear();
        _writing = false;
        _reading = false;
        _replyClockRunning = false;
        _held = false;
        if (Connection is not null)
        {
            _transcript?.Write(TranscriptDirection.Info, "closed: " + reason);
            _reader?.Complete();
            _reader = null;
            Connection.Abort();
            Connection = null;
        }
        // Last: it is for work still under way off the actor (a connect, a handshake), and its registration would abort
        // the open connection before the reader above is completed.
        _lifetime.Cancel();
    }

    /// <summary>Maps an I/O failure to the library's exceptions.</summary>
    public static Exception Translate(Exception cause) => cause switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Translate(aggregate.InnerException!),
        OperationCanceledException => new MailTimeoutException("A write did not complete within the command timeout; session closed."),
        MailProtocolException or MailConnectException or MailTimeoutException or MailContentException => cause,
        IOException or System.Net.Sockets.SocketException or ObjectDisposedException =>
            new MailSessionClosedException("The connection failed: " + cause.Message, cause),
        _ => cause,
    };

    /// <summary>A reader whose delivery is followed by a continuation (see <see cref="AfterPending"/>).</summary>
    private sealed class FollowedBy(IReplyReader inner, Action then) : IReplyReader
    {
        public ReadProgress Read(ref ReadOnlySequence<byte> buffer) => inner.Read(ref buffer);

        public bool InBody => inner.InBody;

        public void Deliver()
        {
            inner.Deliver();
            then();
        }

        public void Abandon(object cause)
        {
            inner.Abandon(cause);
            then();
        }
    }
}
