using System.Diagnostics;
using Akka.Actor;
using MailActors.Pop3;
using MailActors.Protocol.Integrity;
using MailActors.Protocol.Pop3;
using MailActors.Transport;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Load;

/// <summary>
/// Runs a POP3 read load: one <see cref="Pop3SessionActor"/> child per connection, each walked through connect, CAPA,
/// STLS (when asked), login, STAT, LIST, UIDL, RETR (and DELE) per message, QUIT — one command at a time, so each
/// step's latency is measured from the command to its answer — then a new connection, until the bound. Every retrieved
/// message is checked against its <see cref="ContentDigest"/> header.
/// </summary>
internal sealed class Pop3LoadSupervisor : LoadSupervisorBase
{
    private sealed record Reconnect(Slot Slot);

    private enum Step { Waiting, Connect, Capa, Stls, Login, Stat, List, Uidl, Retr, Dele, Quit, Retired }

    private sealed class Slot(int index)
    {
        public int Index { get; } = index;
        public Step Step { get; set; } = Step.Waiting;
        public IActorRef Session { get; set; } = ActorRefs.Nobody;
        public long StepStarted { get; set; }
        public int MailboxCount { get; set; }
        public int NextMessage { get; set; }
        public int RetrievedOnConnection { get; set; }
        public bool Open { get; set; }
    }

    private static readonly TimeSpan ReconnectBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan EmptyMailboxBackoff = TimeSpan.FromMilliseconds(500);

    private readonly Pop3LoadOptions _options;
    private readonly AddressTemplate _user;
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<IActorRef, Slot> _bySession = [];
    private readonly ConnectQueue<Slot> _connectQueue = new();
    private long _retrievalsClaimed;
    private int _consecutiveConnectFailures;
    private int _consecutiveEmpty;

    public Pop3LoadSupervisor(Pop3LoadOptions options, LoadRecorder recorder, LoadReportHeader header, TaskCompletionSource<LoadReport> completion)
        : base(recorder, header, completion, options.ConnectRate, options.DrainTimeout)
    {
        _options = options;
        _user = AddressTemplate.Parse(options.User);
    }

    public static Props Props(Pop3LoadOptions options, LoadRecorder recorder, LoadReportHeader header, TaskCompletionSource<LoadReport> completion) =>
        Akka.Actor.Props.Create(() => new Pop3LoadSupervisor(options, recorder, header, completion));

    /// <summary>The settings of every connection: no login, no CAPA, no STLS during Connect — the run does each as its own step.</summary>
    private Pop3SessionSettings ConnectionSettings => _options.Session with
    {
        Credentials = null,
        RequestCapabilities = false,
        TlsMode = _options.Session.TlsMode == TlsMode.Implicit ? TlsMode.Implicit : TlsMode.None,
    };

    /// <summary>
    /// Whether to send STLS after CAPA: always when TLS is required (without a CAPA answer too: an RFC 1939 server may
    /// still know STLS, and a refusal then ends the step clearly), and when it is only wanted if CAPA listed it.
    /// </summary>
    private bool WantsStls(Pop3Capabilities? listed) => _options.Session.TlsMode switch
    {
        TlsMode.StartTls => true,
        TlsMode.StartTlsWhenAvailable => listed?.Stls == true,
        _ => false,
    };

    protected override void PreStart()
    {
        StartRun(_options.Duration, pace: false);
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
            case Status.Failure failure when _bySession.TryGetValue(Sender, out var slot):
                OnFailure(slot, failure.Cause);
                break;
            case Reconnect reconnect when reconnect.Slot.Step == Step.Waiting:
                _connectQueue.Enqueue(reconnect.Slot);
                IssueConnects();
                break;
            case var reply when !Sender.IsNobody() && _bySession.TryGetValue(Sender, out var slot):
                OnReply(slot, reply);
                break;
        }
    }

    private protected override void OnPace() => IssueConnects();

    private protected override void OnTick() => Recorder.Tick(_slots.Count(s => s.Step == Step.Retr));

    // ---- connections ----

    private bool HasWork() => !Stopping && (_options.Messages is not { } limit || _retrievalsClaimed < limit);

    private void IssueConnects() => _connectQueue.Drain(slot => slot.Step == Step.Waiting, HasWork, Retire, TryTakeConnect, Connect);

    private void Connect(Slot slot)
    {
        var settings = ConnectsIssued == 1 && _options.FirstConnectionTranscript is { } transcript
            ? ConnectionSettings with { Transcript = transcript }
            : ConnectionSettings;
        slot.Session = Context.ActorOf(Pop3SessionActor.Props(settings));
        _bySession[slot.Session] = slot;
        slot.RetrievedOnConnection = 0;
        slot.MailboxCount = -1;
        Command(slot, Step.Connect, Pop3Session.Connect.Instance);
    }

    private void Command(Slot slot, Step step, object command)
    {
        slot.Step = step;
        slot.StepStarted = Stopwatch.GetTimestamp();
        slot.Session.Tell(command);
    }

    /// <summary>The step just answered took this long; the recorder keeps it under the step's protocol name.</summary>
    private void Timed(Slot slot, string name) => Recorder.OnStep(name, Stopwatch.GetElapsedTime(slot.StepStarted), null);

    private static string LoginStepName(Pop3LoginMethod method) => method switch
    {
        Pop3LoginMethod.Apop => "APOP",
        Pop3LoginMethod.Sasl => "AUTH",
        _ => "PASS",
    };

    private void OnReply(Slot slot, object reply)
    {
        switch (slot.Step)
        {
            case Step.Connect:
                Timed(slot, "connect");
                Recorder.SessionOpened();
                slot.Open = true;
                Command(slot, Step.Capa, Capa.Instance);
                break;
            case Step.Capa:
                Timed(slot, "CAPA");
                AfterCapabilities(slot, (reply as CapabilitiesRead)?.Capabilities);
                break;
            case Step.Stls:
                Timed(slot, "STLS");
                LogIn(slot);
                break;
            case Step.Login:
                Timed(slot, LoginStepName(_options.Session.LoginMethod));
                // Not yet progress: a session that logs in and then always fails (STAT refused, the connection dropped)
                // must still count towards the stop, or the run would never end.
                Command(slot, Step.Stat, Stat.Instance);
                break;
            case Step.Stat when reply is MailboxStatus status:
                Timed(slot, "STAT");
                slot.MailboxCount = status.Count;
                slot.NextMessage = 1;
                if (status.Count == 0)
                {
                    _consecutiveConnectFailures = 0; // an answer, if not a useful one: empty mailboxes end the run their own way
                    MailboxEmpty(slot);
                    return;
                }
                _consecutiveEmpty = 0;
                Command(slot, Step.List, new Pop3Session.List());
                break;
            case Step.List:
                Timed(slot, "LIST");
                Command(slot, Step.Uidl, new Uidl());
                break;
            case Step.Uidl:
                Timed(slot, "UIDL");
                NextRetrieval(slot);
                break;
            case Step.Retr when reply is MessageRetrieved retrieved:
                Timed(slot, "RETR");
                Recorder.DigestChecked(ContentDigest.Verify(retrieved.Content.Span));
                Recorder.MessageCompleted(delivered: true, retrieved.Octets, slot.StepStarted);
                _consecutiveConnectFailures = 0;
                if (_options.Delete)
                {
                    Command(slot, Step.Dele, new Delete(retrieved.Number));
                    return;
                }
                NextRetrieval(slot);
                break;
            case Step.Dele:
                Timed(slot, "DELE");
                NextRetrieval(slot);
                break;
            case Step.Quit:
                Timed(slot, "QUIT");
                // A mailbox found empty is not refilled at once: wait before looking again instead of spinning.
                EndConnection(slot, backoff: slot.MailboxCount == 0 ? EmptyMailboxBackoff : null);
                break;
        }
    }

    private void AfterCapabilities(Slot slot, Pop3Capabilities? listed)
    {
        if (WantsStls(listed))
        {
            Command(slot, Step.Stls, Pop3Session.StartTls.Instance);
        }
        else
        {
            LogIn(slot);
        }
    }

    private void LogIn(Slot slot)
    {
        var user = _user.Expand(0, slot.Index, 0);
        object login = _options.Session.LoginMethod switch
        {
            Pop3LoginMethod.Apop => new Pop3Session.Apop(user, _options.Password),
            Pop3LoginMethod.Sasl => new Authenticate(new Protocol.Sasl.SaslCredentials(user, _options.Password), _options.AuthMechanism),
            _ => new Login(user, _options.Password),
        };
        Command(slot, Step.Login, login);
    }

    private void MailboxEmpty(Slot slot)
    {
        Recorder.Error("STAT", "empty");
        if (_options.Messages is not null && ++_consecutiveEmpty >= _options.MaxConsecutiveEmptyMailboxes)
        {
            BeginStopping(LoadAbortKind.NothingToRetrieve, $"{_consecutiveEmpty} sessions in a row found nothing to retrieve");
        }
        Command(slot, Step.Quit, Quit.Instance);
    }

    /// <summary>Retrieves the next message, or QUITs when the mailbox, the connection's share or the run's bound is used up.</summary>
    private void NextRetrieval(Slot slot)
    {
        var connectionFull = _options.MessagesPerConnection > 0 && slot.RetrievedOnConnection >= _options.MessagesPerConnection;
        if (!HasWork() || connectionFull || slot.NextMessage > slot.MailboxCount)
        {
            Command(slot, Step.Quit, Quit.Instance);
            return;
        }
        _retrievalsClaimed++;
        slot.RetrievedOnConnection++;
        Recorder.MessageStarted(Stopwatch.GetTimestamp());
        Command(slot, Step.Retr, new Retrieve(slot.NextMessage++));
    }

    private void OnFailure(Slot slot, Exception error)
    {
        var phase = slot.Step switch
        {
            Step.Connect => "connect",
            Step.Login => LoginStepName(_options.Session.LoginMethod),
            _ => slot.Step.ToString().ToUpperInvariant(),
        };
        Recorder.Error(phase, error is Pop3CommandException refused ? Describe(refused.Response) : FailurePhase.Kind(error));
        if (slot.Step == Step.Retr)
        {
            Recorder.MessageCompleted(delivered: false, 0, slot.StepStarted);
        }
        switch (slot.Step)
        {
            case Step.Connect:
                Recorder.ConnectFailed();
                if (++_consecutiveConnectFailures >= _options.MaxConsecutiveConnectFailures)
                {
                    EndConnection(slot, backoff: null);
                    BeginStopping(LoadAbortKind.SessionsFailing, $"{_consecutiveConnectFailures} connection attempts in a row failed; last: {error.Message}");
                    return;
                }
                EndConnection(slot, ReconnectBackoff);
                return;
            case Step.Retr or Step.Dele or Step.List or Step.Uidl when error is Pop3CommandException:
                // A -ERR for one message (deleted by another session, say) or an unsupported listing: go on.
                if (slot.Step is Step.List)
                {
                    Command(slot, Step.Uidl, new Uidl());
                }
                else
                {
                    NextRetrieval(slot);
                }
                return;
            case Step.Capa when error is Pop3CommandException:
                AfterCapabilities(slot, listed: null); // an RFC 1939 server without CAPA
                return;
            case Step.Capa or Step.Stls or Step.Login:
                // Counted like a failed connect, whatever the failure (-ERR, STLS not offered, cleartext refused, no APOP
                // timestamp, a dropped connection): a run that can never log in must end, not retry for ever.
                CountFailureTowardsStop("sessions in a row could not log in", phase, error);
                if (SessionStillUsable(error))
                {
                    Command(slot, Step.Quit, Quit.Instance);
                }
                else
                {
                    EndConnection(slot, ReconnectBackoff);
                }
                return;
            case Step.Stat when error is Pop3CommandException:
                CountFailureTowardsStop("sessions in a row failed before retrieving anything", phase, error);
                Command(slot, Step.Quit, Quit.Instance);
                return;
            case Step.Quit:
                EndConnection(slot, backoff: null);
                return;
            default:
                CountFailureTowardsStop("sessions in a row failed before retrieving anything", phase, error);
                EndConnection(slot, ReconnectBackoff);
                return;
        }
    }

    /// <summary>
    /// A session could not log in, or failed after logging in but before a retrieval. Each counts like a failed connect
    /// (only a retrieval resets the count): a server that refuses the login or STAT, or drops every session early, must
    /// end the run, not keep it reconnecting for ever. The connect step counts on its own, as it must end its connection
    /// before stopping.
    /// </summary>
    private void CountFailureTowardsStop(string what, string phase, Exception error)
    {
        if (++_consecutiveConnectFailures >= _options.MaxConsecutiveConnectFailures)
        {
            BeginStopping(LoadAbortKind.SessionsFailing, $"{_consecutiveConnectFailures} {what}; last: {phase}: {error.Message}");
        }
    }

    /// <summary>
    /// Whether the session refused the step without losing its connection (it rests in AUTHORIZATION and can QUIT):
    /// an <c>-ERR</c>, or a refusal before anything was sent. Anything else closed the session.
    /// </summary>
    private static bool SessionStillUsable(Exception error) =>
        error is Pop3CommandException or MailNotSupportedException or MailAuthenticationException or MailStateException or ArgumentException;

    private static string Describe(Pop3Response response) => response.ResponseCode is { } code ? $"-ERR [{code}]" : "-ERR";

    private void EndConnection(Slot slot, TimeSpan? backoff)
    {
        _bySession.Remove(slot.Session);
        Context.Stop(slot.Session);
        slot.Session = ActorRefs.Nobody;
        if (slot.Open)
        {
            Recorder.SessionClosed();
            slot.Open = false;
        }
        slot.Step = Step.Waiting;
        if (!HasWork())
        {
            Retire(slot);
        }
        else if (backoff is { } delay)
        {
            Timers.StartSingleTimer(("reconnect", slot.Index), new Reconnect(slot), delay);
        }
        else
        {
            _connectQueue.Enqueue(slot);
            IssueConnects();
        }
    }

    private void Retire(Slot slot)
    {
        slot.Step = Step.Retired;
        if (_slots.TrueForAll(s => s.Step == Step.Retired))
        {
            Finish();
        }
    }

    // ---- ending ----

    private protected override void OnStopping()
    {
        _connectQueue.Clear();
        foreach (var slot in _slots.Where(s => s.Step == Step.Waiting).ToList())
        {
            Retire(slot);
        }
        // Sessions in the middle of a step QUIT after it (NextRetrieval sees no work); connecting ones after login.
    }

    private protected override void CutOff()
    {
        foreach (var slot in _slots.Where(s => s.Step != Step.Retired))
        {
            if (slot.Step == Step.Retr)
            {
                Recorder.Error("drain", "cut-off");
                Recorder.MessageCompleted(delivered: false, 0, slot.StepStarted);
            }
            if (slot.Open)
            {
                Recorder.SessionClosed();
            }
            if (!slot.Session.IsNobody())
            {
                _bySession.Remove(slot.Session);
                Context.Stop(slot.Session);
            }
            slot.Step = Step.Retired;
        }
        Finish();
    }
}
