using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Protocol.Pop3;
using MailActors.Sessions;
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
public sealed partial class Pop3SessionActor : MailSessionActor
{
    private readonly Pop3SessionSettings _settings;
    private readonly Pop3StatusParser _parser;
    private readonly Pop3MultiLineDecoder _decoder;
    private readonly SortedSet<int> _pendingDeletes = [];

    private Pop3Response? _greeting;
    private string? _apopTimestamp;
    private Pop3Capabilities _capabilities = Pop3Capabilities.Empty;
    private bool _capabilitiesAnswered;
    private bool _utf8Enabled;
    private string? _acceptedUser;
    private string? _authenticatedAs;
    private string? _activity;

    /// <summary>Creates the actor; prefer <see cref="Props(Pop3SessionSettings)"/>.</summary>
    public Pop3SessionActor(Pop3SessionSettings settings)
        : base((settings ?? throw new ArgumentNullException(nameof(settings))).CommandTimeout, settings.Transcript)
    {
        _settings = settings;
        _parser = new Pop3StatusParser(settings.ResponseLimits);
        _decoder = new Pop3MultiLineDecoder(settings.ResponseLimits);
    }

    /// <summary>Props for a session with <paramref name="settings"/>.</summary>
    public static Props Props(Pop3SessionSettings settings) => Akka.Actor.Props.Create(() => new Pop3SessionActor(settings));

    // ---- resting behaviours: each names the commands legal in that RFC 1939 state ----

    private protected override void Disconnected(object message)
    {
        switch (message)
        {
            case Connect:
                BeginAs(message, "Connecting");
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
            case EnableUtf8:
                Begin(message);
                RunUtf8();
                break;
            case Pass:
                break; // refused above
            case Capa or Raw or Quit or ListLanguages or SetLanguage:
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
            case Stat or List or Uidl or Retrieve or Top or RetrieveMany or Delete or DeleteMany or Reset or Noop or Last:
                Begin(message);
                ServeTransaction((ICommand)message);
                break;
            case Capa or Raw or Quit or ListLanguages or SetLanguage:
                ServeCommon((ICommand)message);
                break;
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    // ---- helpers shared by the resting behaviours ----

    /// <summary>Starts serving a command that runs as a named flow (Connecting, Update) until it rests.</summary>
    private void BeginAs(object command, string activity)
    {
        Begin(command);
        _activity = activity;
    }

    private protected override bool IsInfoRequest(object message) => message is GetInfo;

    private protected override object Snapshot() => new Pop3Session.Info(
        _activity ?? State, Link?.Host, _greeting, _capabilities, Link?.IsEncrypted ?? false, _authenticatedAs, _lastResponse, _pendingDeletes.ToArray());

    private protected override UntypedReceive CurrentResting() => State switch
    {
        "Disconnected" => Disconnected,
        "Authorization" => Authorization,
        "Transaction" => Transaction,
        _ => Closed,
    };
}
