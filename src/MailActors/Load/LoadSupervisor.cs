using System.Diagnostics;
using Akka.Actor;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Load;

/// <summary>
/// Runs an SMTP load: one <see cref="SmtpSessionActor"/> child per connection, each driven by a pull loop — when a
/// session finishes a message it is handed the next one, until the bound is reached. Closed loop: the next message
/// goes out as soon as the reply comes. Open loop: message n is due at <c>start + (n-1)/rate</c>; due messages wait in
/// a backlog until a session is free, and their latency counts from the due time, so a stalled server shows up in the
/// percentiles (no coordinated omission). Reconnects after QUIT (messages per connection), 421 and failures, paced by
/// the connect rate. Answers the run's completion with the report and stops itself.
/// </summary>
internal sealed class LoadSupervisor : LoadSupervisorBase
{
    private sealed record Reconnect(Slot Slot);

    private enum SlotState { Waiting, Connecting, Idle, Busy, Quitting, Retired }

    private sealed class Slot(int index)
    {
        public int Index { get; } = index;
        public SlotState State { get; set; } = SlotState.Waiting;
        public IActorRef Session { get; set; } = ActorRefs.Nobody;
        public SessionProbe? Probe { get; set; }
        public int SentOnConnection { get; set; }

        /// <summary>Messages handed to the session and not answered yet, oldest first (the session answers in order).</summary>
        public Queue<InFlight> Outstanding { get; } = new(PipelineWindow);

        /// <summary>How many messages the session may have at once (see <see cref="PipelineWindow"/>).</summary>
        public int Window { get; set; } = 1;
    }

    private sealed record InFlight(LoadMessage Message, long LatencyFrom);

    /// <summary>
    /// Messages per session in closed loop when the server pipelines: the one being served, the one whose envelope
    /// rides in its content's write (RFC 2920 3.1), and one more that must already be in the session when that
    /// one's content goes out (see <c>SmtpSessionActor.MaxSuccessors</c>).
    /// </summary>
    private const int PipelineWindow = 3;

    private static readonly TimeSpan ReconnectBackoff = TimeSpan.FromMilliseconds(100);

    private readonly LoadOptions _options;
    private readonly LoadMessageFactory _factory;
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<IActorRef, Slot> _bySession = [];
    private readonly ConnectQueue<Slot> _connectQueue = new();
    private readonly Queue<Slot> _idle = new();
    private readonly Queue<InFlight> _returned = new();
    private readonly long? _planned;
    private long _nextMessage = 1;
    private int _connecting;
    private long _inFlight;
    private int _consecutiveConnectFailures;

    public LoadSupervisor(LoadOptions options, LoadRecorder recorder, LoadMessageFactory factory, LoadReportHeader header, TaskCompletionSource<LoadReport> completion)
        : base(recorder, header, completion, options.ConnectRate, options.DrainTimeout)
    {
        _options = options;
        _factory = factory;
        _planned = options.PlannedMessages;
    }

    public static Props Props(LoadOptions options, LoadRecorder recorder, LoadMessageFactory factory, LoadReportHeader header, TaskCompletionSource<LoadReport> completion) =>
        Akka.Actor.Props.Create(() => new LoadSupervisor(options, recorder, factory, header, completion));

    private bool OpenLoop => _options.Rate is not null;

    protected override void PreStart()
    {
        // Open loop: the schedule is the bound (the plan already ends it at the duration when that comes first); a server
        // that falls behind gets the drain time to catch up, then the rest is cut.
        var deadline = OpenLoop && _planned is { } planned
            ? TimeSpan.FromSeconds(planned / _options.Rate!.Value) + _options.DrainTimeout
            : _options.Duration;
        StartRun(deadline, pace: OpenLoop);
        for (var i = 0; i < _options.Sessions; i++)
        {
            var slot = new Slot(i + 1);
            _slots.Add(slot);
            _connectQueue.Enqueue(slot);
        }
        IssueConnects();
    }

    private protected override void OnSessionMessage(object message)
    {
        switch (message)
        {
            case TransactionResult result when _bySession.TryGetValue(Sender, out var slot):
                OnTransactionResult(slot, result);
                break;
            case Connected connected when _bySession.TryGetValue(Sender, out var slot):
                OnConnected(slot, connected);
                break;
            case SmtpReply when _bySession.TryGetValue(Sender, out var slot) && slot.State == SlotState.Quitting:
                EndConnection(slot, closedCleanly: true);
                break;
            case Status.Failure failure when _bySession.TryGetValue(Sender, out var slot):
                OnSessionFailure(slot, failure.Cause);
                break;
            case Reconnect reconnect when reconnect.Slot.State == SlotState.Waiting:
                if (HasWork())
                {
                    _connectQueue.Enqueue(reconnect.Slot);
                    IssueConnects();
                }
                else
                {
                    Retire(reconnect.Slot);
                }
                break;
            default:
                // Late replies from sessions already let go of.
                break;
        }
    }

    private protected override void OnPace()
    {
        IssueConnects();
        DispatchDue();
    }

    private protected override void OnTick() => Recorder.Tick(_inFlight, Backlog());

    private protected override void OnDeadline()
    {
        if (OpenLoop && (Backlog() > 0 || _inFlight > 0))
        {
            BeginStopping(LoadAbortKind.FellBehindSchedule, "the server fell behind the schedule; the drain time ran out");
            return;
        }
        BeginStopping();
    }

    // ---- connections ----

    private void IssueConnects() =>
        _connectQueue.Drain(slot => slot.State == SlotState.Waiting, () => _options.Hold ? !Stopping : HasWorkForAnotherConnection(), Retire, TryTakeConnect, Connect);

    private void Connect(Slot slot)
    {
        var probe = new SessionProbe(Recorder);
        var settings = _options.Session with { Observer = probe };
        if (ConnectsIssued == 1 && _options.FirstConnectionTranscript is { } transcript)
        {
            settings = settings with { Transcript = transcript };
        }
        _connecting++;
        var props = SmtpSessionActor.Props(settings);
        var session = Context.ActorOf(_options.Dispatcher is { } dispatcher ? props.WithDispatcher(dispatcher) : props);
        slot.Session = session;
        slot.Probe = probe;
        slot.SentOnConnection = 0;
        slot.Window = 1;
        slot.State = SlotState.Connecting;
        _bySession[session] = slot;
        session.Tell(SmtpSession.Connect.Instance);
    }

    private void OnConnected(Slot slot, Connected connected)
    {
        // Open loop keeps one message per session: its messages are paced by the schedule, not by the replies.
        var session = _options.Session;
        slot.Window = !OpenLoop && session.UsePipelining && !session.PreferChunking && connected.Capabilities.Pipelining ? PipelineWindow : 1;
        _connecting--;
        _consecutiveConnectFailures = 0;
        Recorder.SessionOpened();
        slot.State = SlotState.Idle;
        if (_options.Hold)
        {
            if (Stopping)
            {
                Quit(slot);
            }
            return;
        }
        Next(slot);
    }

    private void Quit(Slot slot)
    {
        slot.State = SlotState.Quitting;
        slot.Session.Tell(SmtpSession.Quit.Instance);
    }

    /// <summary>The connection is over (QUIT answered, 421, or failure): let the session go and reconnect if there is work.</summary>
    private void EndConnection(Slot slot, bool closedCleanly, bool wasOpen = true, TimeSpan? backoff = null)
    {
        _bySession.Remove(slot.Session);
        Context.Stop(slot.Session);
        slot.Session = ActorRefs.Nobody;
        slot.Probe = null;
        if (wasOpen)
        {
            Recorder.SessionClosed();
        }
        slot.State = SlotState.Waiting;
        if (!HasWork())
        {
            Retire(slot);
            return;
        }
        if (backoff is { } delay && !closedCleanly)
        {
            Timers.StartSingleTimer(("reconnect", slot.Index), new Reconnect(slot), delay);
            return;
        }
        _connectQueue.Enqueue(slot);
        IssueConnects();
    }

    private void Retire(Slot slot)
    {
        slot.State = SlotState.Retired;
        if (_slots.TrueForAll(s => s.State == SlotState.Retired))
        {
            Finish();
        }
    }

    // ---- work ----

    /// <summary>Messages to send, new or given back (those are in flight already, so they are sent even while stopping).</summary>
    private bool HasWork() => !_options.Hold && (_returned.Count > 0 || (!Stopping && (_planned is null || _nextMessage <= _planned)));

    /// <summary>Whether a new connection would get a message, counting the connections already on their way.</summary>
    private bool HasWorkForAnotherConnection() =>
        HasWork() && (_returned.Count > _connecting || (!Stopping && (_planned is null || _nextMessage + _connecting - _returned.Count <= _planned)));

    /// <summary>Open loop: messages due by now (1-based count), capped by the plan.</summary>
    private long DueCount()
    {
        var due = (long)Math.Floor(Stopwatch.GetElapsedTime(StartTimestamp).TotalSeconds * _options.Rate!.Value) + 1;
        return _planned is { } planned ? Math.Min(due, planned) : due;
    }

    private long Backlog() => OpenLoop && !Stopping ? Math.Max(0, DueCount() - _nextMessage + 1) : 0;

    /// <summary>
    /// A session has room: fill its window with the next messages, or QUIT once nothing is outstanding and its
    /// connection has had its share or the run is done.
    /// </summary>
    private void Next(Slot slot)
    {
        while (slot.Outstanding.Count < slot.Window)
        {
            var shareUsed = _options.MessagesPerConnection > 0 && slot.SentOnConnection >= _options.MessagesPerConnection;
            if (!HasWork() || shareUsed)
            {
                if (slot.Outstanding.Count == 0)
                {
                    Quit(slot);
                }
                return;
            }
            if (OpenLoop)
            {
                if (_nextMessage > DueCount())
                {
                    slot.State = SlotState.Idle;
                    _idle.Enqueue(slot);
                    return;
                }
                Send(slot, ScheduledTimestamp(_nextMessage));
                continue;
            }
            Send(slot, Stopwatch.GetTimestamp());
        }
    }

    private long ScheduledTimestamp(long number) =>
        StartTimestamp + (long)((number - 1) / _options.Rate!.Value * Stopwatch.Frequency);

    private void DispatchDue()
    {
        if (!OpenLoop || Stopping)
        {
            return;
        }
        var due = DueCount();
        while (_idle.Count > 0 && _nextMessage <= due)
        {
            var slot = _idle.Dequeue();
            if (slot.State == SlotState.Idle)
            {
                Next(slot);
            }
        }
        if (!HasWork())
        {
            while (_idle.Count > 0)
            {
                var slot = _idle.Dequeue();
                if (slot.State == SlotState.Idle)
                {
                    Quit(slot);
                }
            }
        }
    }

    private void Send(Slot slot, long latencyFrom)
    {
        if (slot.Outstanding.Count == 0)
        {
            // With messages already in flight the probe follows their steps; the next MAIL step resets it itself.
            slot.Probe!.TransactionStarting();
        }
        InFlight sending;
        if (_returned.TryDequeue(out var returned))
        {
            // Given back by a connection that ended before it was sent: counted and timed from its first hand-off.
            sending = returned;
        }
        else
        {
            // Latency counts from the hand-off to the session, so a message waiting behind others in it is not flattered.
            sending = new InFlight(_factory.Create(_nextMessage++, slot.Index), latencyFrom);
            _inFlight++;
            Recorder.MessageStarted(latencyFrom);
        }
        slot.Outstanding.Enqueue(sending);
        slot.SentOnConnection++;
        slot.State = SlotState.Busy;
        var message = sending.Message;
        slot.Session.Tell(new Transaction(message.Sender, message.Recipients, message.Content));
    }

    private void OnTransactionResult(Slot slot, TransactionResult result)
    {
        if (slot.Outstanding.Count == 0)
        {
            return;
        }
        slot.Outstanding.Peek().Message.Release();
        CompleteMessage(slot, result.Delivered);
        var serverClosing = result.MailReply.Code == 421 || result.DataReply?.Code == 421 || result.Recipients.Any(r => r.Reply.Code == 421);
        if (serverClosing)
        {
            EndConnectionGivingBack(slot);
            return;
        }
        Next(slot);
    }

    /// <summary>Completes the oldest outstanding message of <paramref name="slot"/>.</summary>
    private void CompleteMessage(Slot slot, bool delivered)
    {
        var done = slot.Outstanding.Dequeue();
        _inFlight--;
        Recorder.MessageCompleted(delivered, delivered ? done.Message.Length : 0, done.LatencyFrom);
    }

    /// <summary>
    /// The connection is ending (421 or failure) with the oldest message answered: the ones behind it never had their
    /// content sent (it goes out only after the answer to the one before), so they are given back, to be sent on
    /// another connection like messages a connection never got, and the session is let go.
    /// </summary>
    private void EndConnectionGivingBack(Slot slot)
    {
        while (slot.Outstanding.TryDequeue(out var behind))
        {
            _returned.Enqueue(behind);
        }
        EndConnection(slot, closedCleanly: false);
    }

    private void OnSessionFailure(Slot slot, Exception error)
    {
        switch (slot.State)
        {
            case SlotState.Connecting:
                _connecting--;
                Recorder.ConnectFailed();
                CountUnlessObserved(FailurePhase.WhileConnecting(error, slot.Probe?.LastStep, _options.Session), error);
                if (++_consecutiveConnectFailures >= _options.MaxConsecutiveConnectFailures)
                {
                    EndConnection(slot, closedCleanly: false, wasOpen: false);
                    BeginStopping(LoadAbortKind.SessionsFailing, $"{_consecutiveConnectFailures} connection attempts in a row failed; last: {error.Message}");
                    return;
                }
                EndConnection(slot, closedCleanly: false, wasOpen: false, backoff: ReconnectBackoff);
                return;
            case SlotState.Busy when slot.Outstanding.Count > 0:
                var phase = FailurePhase.WhileSending(slot.Probe?.LastStep, slot.Probe?.RecipientsSeen ?? 0, _options.Message.Recipients, _options.Session.PreferChunking);
                if (slot.Probe?.ClosingReplySeen != true)
                {
                    CountUnlessObserved(phase, error);
                }
                CompleteMessage(slot, delivered: false);
                if (error is MailNotSupportedException or ArgumentException)
                {
                    // Refused before anything was written (SIZE, 8BITMIME, SMTPUTF8): the session is still usable.
                    Next(slot);
                    return;
                }
                EndConnectionGivingBack(slot);
                return;
            default:
                CountUnlessObserved(slot.State == SlotState.Quitting ? "QUIT" : "idle", error);
                EndConnection(slot, closedCleanly: false);
                return;
        }
    }

    /// <summary>Counts a failure, unless it is a reply the observer already counted.</summary>
    private void CountUnlessObserved(string phase, Exception error)
    {
        var observed = error is SmtpCommandException || error.InnerException is SmtpCommandException
            || (error is MailConnectException && error.Message.Contains("refused the session", StringComparison.Ordinal));
        if (!observed)
        {
            Recorder.Error(phase, FailurePhase.Kind(error));
        }
    }

    // ---- ending ----

    private protected override void OnStopping()
    {
        if (OpenLoop)
        {
            FailUnsent();
        }
        foreach (var slot in _slots)
        {
            switch (slot.State)
            {
                case SlotState.Idle:
                    Quit(slot);
                    break;
                case SlotState.Waiting when _returned.Count == 0:
                    Retire(slot);
                    break;
            }
        }
        _idle.Clear();
        if (_returned.Count == 0)
        {
            _connectQueue.Clear();
        }
    }

    /// <summary>
    /// Open loop, the run stopping: the messages the schedule made due that no session ever took are the latest of
    /// all. Leaving them out would flatter the tail (coordinated omission), so each counts as attempted and failed, with
    /// its latency from its scheduled time to now.
    /// </summary>
    private void FailUnsent()
    {
        var due = DueCount();
        while (_nextMessage <= due)
        {
            var scheduled = ScheduledTimestamp(_nextMessage++);
            Recorder.MessageStarted(scheduled);
            Recorder.Error("schedule", "not-sent");
            Recorder.MessageCompleted(delivered: false, 0, scheduled);
        }
    }

    /// <summary>The drain took too long: cut every remaining session off.</summary>
    private protected override void CutOff()
    {
        foreach (var slot in _slots)
        {
            if (slot.State == SlotState.Retired)
            {
                continue;
            }
            while (slot.Outstanding.Count > 0)
            {
                Recorder.Error("drain", "cut-off");
                CompleteMessage(slot, delivered: false);
            }
            while (_returned.TryDequeue(out var returned))
            {
                Recorder.Error("drain", "cut-off");
                _inFlight--;
                Recorder.MessageCompleted(false, 0, returned.LatencyFrom);
            }
            if (slot.State is SlotState.Idle or SlotState.Busy or SlotState.Quitting)
            {
                Recorder.SessionClosed();
            }
            if (!slot.Session.IsNobody())
            {
                _bySession.Remove(slot.Session);
                Context.Stop(slot.Session);
            }
            slot.State = SlotState.Retired;
        }
        Finish();
    }
}
