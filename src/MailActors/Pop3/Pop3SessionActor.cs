using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Protocol.Pop3;
using MailActors.Transport;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Pop3;

/// <summary>
/// One POP3 session: owns one connection to one mailbox and speaks RFC 1939 on it. The protocol states are behaviours —
/// <c>Disconnected → [Connecting] → Authorization → Transaction → [Update] → Closed</c>, where Connecting (connect,
/// greeting, CAPA, STLS, login) and Update (QUIT from Transaction, which commits the deletions) are flows on the wire.
/// Commands arriving while an exchange is on the wire wait in the stash; a command that is not legal in the resting
/// state is refused at once, without touching the wire. See <see cref="Pop3Session"/> for the protocol.
/// </summary>
public sealed partial class Pop3SessionActor : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly Pop3SessionSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ITranscript? _transcript;
    private readonly Pop3StatusParser _parser;
    private readonly Pop3MultiLineDecoder _decoder;
    private readonly SortedSet<int> _pendingDeletes = [];

    private Pop3Response? _greeting;
    private string? _apopTimestamp;
    private Pop3Capabilities _capabilities = Pop3Capabilities.Empty;
    private bool _capabilitiesAnswered;
    private string? _acceptedUser;
    private string? _authenticatedAs;
    private string _state = "Disconnected";
    private string? _activity;
    private Exception? _closedBecause;

    // The command being served and who asked for it.
    private IActorRef _requester = ActorRefs.Nobody;
    private string _currentCommand = "";

    /// <summary>Creates the actor; prefer <see cref="Props(Pop3SessionSettings)"/>.</summary>
    public Pop3SessionActor(Pop3SessionSettings settings)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _transcript = settings.Transcript;
        _parser = new Pop3StatusParser(settings.ResponseLimits);
        _decoder = new Pop3MultiLineDecoder(settings.ResponseLimits);
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a session with <paramref name="settings"/>.</summary>
    public static Props Props(Pop3SessionSettings settings) => Akka.Actor.Props.Create(() => new Pop3SessionActor(settings));

    /// <inheritdoc />
    protected override void PreStart()
    {
        _wire = new WireChannel(Self, Timers, _transcript, _settings.CommandTimeout, () => _currentCommand, FailSession);
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

    // ---- resting behaviours: each names the commands legal in that RFC 1939 state ----

    private void Disconnected(object message)
    {
        switch (message)
        {
            case Connect:
                Begin(message, activity: "Connecting");
                StartConnecting();
                break;
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    /// <summary>AUTHORIZATION: greeted, not logged in.</summary>
    private void Authorization(object message)
    {
        switch (message)
        {
            case Capa:
                Begin(message);
                RunCapa();
                break;
            case StartTls:
                Begin(message);
                RunStls(started => FinishWith(started, Authorization), e => FinishWithFailure(e, Authorization));
                break;
            case User user:
                Begin(message);
                SendUser(user.UserName);
                break;
            case Pass pass when _acceptedUser is not null || Refuse(message, "Authorization (no USER accepted)"):
                Begin(message);
                SendPass(_acceptedUser!, pass.Password, LoggedInReply, LoginRefused);
                break;
            case Login login:
                Begin(message);
                RunUserPass(login.UserName, login.Password, LoggedInReply, LoginRefused);
                break;
            case Pop3Session.Apop apop:
                Begin(message);
                RunApop(apop.UserName, apop.Password, LoggedInReply, LoginRefused);
                break;
            case Authenticate auth:
                Begin(message);
                RunSasl(auth.Credentials, auth.Mechanism, LoggedInReply, LoginRefused);
                break;
            case Pass:
                break; // refused above
            case Raw or Quit:
                ServeCommon((ICommand)message);
                break;
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    /// <summary>TRANSACTION: logged in; the maildrop is locked for this session.</summary>
    private void Transaction(object message)
    {
        switch (message)
        {
            case Capa:
                Begin(message);
                RunCapa();
                break;
            case Stat or List or Uidl or Retrieve or Top or RetrieveMany or Delete or DeleteMany or Reset or Noop or Last:
                Begin(message);
                ServeTransaction((ICommand)message);
                break;
            case Raw or Quit:
                ServeCommon((ICommand)message);
                break;
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    private void Closed(object message)
    {
        switch (message)
        {
            case GetInfo:
                Sender.Tell(Snapshot());
                break;
            case ICommand command:
                Sender.Tell(new Status.Failure(new MailSessionClosedException(
                    $"{command.Name}: the session is closed" + (_closedBecause is null ? "." : $" ({_closedBecause.Message})."), _closedBecause)));
                break;
            default:
                IgnoreLateIo(message);
                break;
        }
    }

    // ---- helpers shared by the resting behaviours ----

    private void Begin(object command, string? activity = null)
    {
        _requester = Sender;
        _currentCommand = command is ICommand c ? c.Name : command.GetType().Name;
        _activity = activity;
        Become(Exchanging);
    }

    /// <summary>Refuses a command that the resting state does not allow; answers <see cref="GetInfo"/>; drops late I/O.</summary>
    private void RefuseOrIgnore(object message)
    {
        switch (message)
        {
            case GetInfo:
                Sender.Tell(Snapshot());
                break;
            case ICommand:
                Refuse(message, _state);
                break;
            default:
                IgnoreLateIo(message);
                break;
        }
    }

    private bool Refuse(object command, string state)
    {
        var name = command is ICommand c ? c.Name : command.ToString() ?? "?";
        Sender.Tell(new Status.Failure(new MailStateException(name, state)));
        return false;
    }

    private void IgnoreLateIo(object message)
    {
        // Completions of I/O started before a failure can arrive after it; the channel swallows its own.
        if (_wire.Handle(message) || message is Status.Failure)
        {
            return;
        }
        Unhandled(message);
    }

    private Pop3Session.Info Snapshot() => new(
        _activity ?? _state, Link?.Host, _greeting, _capabilities, Link?.IsEncrypted ?? false, _authenticatedAs, _lastResponse, _pendingDeletes.ToArray());

    private UntypedReceive CurrentResting() => _state switch
    {
        "Disconnected" => Disconnected,
        "Authorization" => Authorization,
        "Transaction" => Transaction,
        _ => Closed,
    };
}
