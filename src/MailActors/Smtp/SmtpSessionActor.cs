using System.IO.Pipelines;
using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Protocol.Smtp;
using MailActors.Transport;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

/// <summary>
/// One SMTP session: owns one connection and speaks the protocol on it. The protocol states are behaviours —
/// <c>Disconnected → Connecting → AwaitingGreeting → Greeting → [StartingTls → Greeting] → [Authenticating] → Ready ⇄
/// InTransaction → Quitting → Closed</c>. Commands arriving while an exchange is on the wire wait in the stash;
/// a command that is not legal in the resting state is refused at once. See <see cref="SmtpSession"/> for the protocol.
/// </summary>
public sealed partial class SmtpSessionActor : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly SmtpSessionSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ITranscript? _transcript;
    private readonly ISessionObserver? _observer;
    private readonly SmtpReplyParser _parser;

    private Connection? _connection;
    private PipeReader? _reader;
    private SmtpReply? _greeting;
    private SmtpReply? _lastReply;
    private SmtpCapabilities _capabilities = SmtpCapabilities.None;
    private string? _authenticatedAs;
    private string _state = "Disconnected";
    private Exception? _closedBecause;

    // The command being served and who asked for it.
    private IActorRef _requester = ActorRefs.Nobody;
    private string _currentCommand = "";

    // Transaction bookkeeping for the resting states InTransaction / InData.
    private int _acceptedRecipients;
    private bool _bdatStarted;

    /// <summary>Creates the actor; prefer <see cref="Props(SmtpSessionSettings)"/>.</summary>
    public SmtpSessionActor(SmtpSessionSettings settings)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _transcript = settings.Transcript;
        _observer = settings.Observer;
        _parser = new SmtpReplyParser(settings.ReplyLimits);
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a session with <paramref name="settings"/>.</summary>
    public static Props Props(SmtpSessionSettings settings) => Akka.Actor.Props.Create(() => new SmtpSessionActor(settings));

    /// <inheritdoc />
    protected override void PreStart() => Become(Disconnected);

    /// <inheritdoc />
    protected override void PostStop()
    {
        CloseConnection("session stopped");
        base.PostStop();
    }

    /// <inheritdoc />
    protected override void OnReceive(object message) => Disconnected(message);

    // ---- resting behaviours: each names the commands legal in that protocol state ----

    private void Disconnected(object message)
    {
        switch (message)
        {
            case Connect:
                Begin(message);
                StartConnecting();
                break;
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    /// <summary>Connected and greeted by the server; no EHLO/HELO yet (SendHello off, or a failed hello).</summary>
    private void Greeting(object message)
    {
        switch (message)
        {
            case Hello hello:
                Begin(message);
                SendHello(hello.Domain ?? _settings.HelloDomain, greeted => FinishWith(greeted, Ready));
                break;
            case Noop or Help or Raw or Quit:
                ServeSimple((ICommand)message);
                break;
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    private void Ready(object message)
    {
        switch (message)
        {
            case Hello hello:
                Begin(message);
                SendHello(hello.Domain ?? _settings.HelloDomain, greeted => FinishWith(greeted, Ready));
                break;
            case StartTls:
                Begin(message);
                RunStartTls(started => FinishWith(started, Ready));
                break;
            case Authenticate auth:
                Begin(message);
                RunAuthentication(auth.Credentials, auth.Mechanism, done => FinishWith(done, Ready));
                break;
            case Mail mail:
                Begin(message);
                SendMail(mail);
                break;
            case Transaction transaction:
                Begin(message);
                RunTransaction(transaction);
                break;
            case Reset or Noop or Verify or Expand or Help or Etrn or Raw or Quit:
                ServeSimple((ICommand)message);
                break;
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    /// <summary>MAIL was accepted; recipients and content may follow.</summary>
    private void InTransaction(object message)
    {
        switch (message)
        {
            case Recipient recipient when !_bdatStarted:
                Begin(message);
                SendRecipient(recipient);
                break;
            case Data data when CanStartContent("DATA"):
                Begin(message);
                SendData(data.Content);
                break;
            case DataStart when CanStartContent("DATA"):
                Begin(message);
                StartStreamingData();
                break;
            case Bdat bdat when _acceptedRecipients > 0 || Refuse(message, "InTransaction (no accepted recipient)"):
                Begin(message);
                SendBdatChunk(bdat);
                break;
            case Reset or Noop or Verify or Help or Raw or Quit:
                ServeSimple((ICommand)message);
                break;
            case Recipient:
                Refuse(message, "InTransaction (BDAT started)");
                break;
            case Data or DataStart:
                break; // CanStartContent already refused it
            default:
                RefuseOrIgnore(message);
                break;
        }
    }

    /// <summary>DATA got its 354 and the caller streams the content (Net::Cmd datasend/dataend).</summary>
    private void InData(object message)
    {
        switch (message)
        {
            case DataSend send:
                Begin(message);
                SendDataChunk(send.Chunk);
                break;
            case DataEnd:
                Begin(message);
                EndStreamingData();
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

    private bool CanStartContent(string command)
    {
        if (_bdatStarted)
        {
            return Refuse(command, "InTransaction (BDAT started)");
        }
        return _acceptedRecipients > 0 || Refuse(command, "InTransaction (no accepted recipient)");
    }

    private void ServeSimple(ICommand command)
    {
        Begin(command);
        SmtpCommand wire;
        try
        {
            wire = command switch
            {
                Reset => SmtpCommand.Rset(),
                Noop => SmtpCommand.Noop(),
                Verify v => SmtpCommand.Vrfy(v.Address),
                Expand e => SmtpCommand.Expn(e.Address),
                Help h => SmtpCommand.Help(h.Topic),
                Etrn e => SmtpCommand.Etrn(e.Domain),
                Raw r => r.Command,
                Quit => SmtpCommand.Quit(),
                _ => throw new InvalidOperationException("not a simple command: " + command.Name),
            };
        }
        catch (ArgumentException e)
        {
            FinishWithFailure(e, CurrentResting());
            return;
        }
        if (command is Quit)
        {
            RunQuit();
            return;
        }
        Exchange(wire, reply =>
        {
            var next = command is Reset && reply.IsPositiveCompletion ? Ready : CurrentResting();
            if (command is Reset && reply.IsPositiveCompletion)
            {
                EndTransactionState();
            }
            FinishWith(reply, next);
        });
    }

    private void Begin(object command)
    {
        _requester = Sender;
        _currentCommand = command is ICommand c ? c.Name : command.GetType().Name;
        _resumeTo = CurrentResting();
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
        if (message is WriteCompleted written && _writing && _connection is not null)
        {
            // A write can finish after the replies it provoked were handled and the session came to rest (a BDAT chunk
            // whose 250 was read before the chunk's own completion arrived). The queue must still move on, or the next
            // command's write would wait behind a write that is already done.
            OnWritten(written.Bytes);
            return;
        }
        // Completions of I/O started before a failure can arrive after it; they carry nothing useful.
        if (message is ReadCompleted or WriteCompleted or Status.Failure or ReplyTimedOut or TransactionDeadline or Opened or TlsEstablished or IoFailed or Resume)
        {
            return;
        }
        Unhandled(message);
    }

    private SmtpSession.Info Snapshot() =>
        new(_state, _connection?.Host, _greeting, _capabilities, _connection?.IsEncrypted ?? false, _authenticatedAs, _lastReply);

    private UntypedReceive CurrentResting() => _state switch
    {
        "Disconnected" => Disconnected,
        "Greeting" => Greeting,
        "Ready" => Ready,
        "InTransaction" => InTransaction,
        "InData" => InData,
        _ => Closed,
    };

    private void EndTransactionState()
    {
        _acceptedRecipients = 0;
        _bdatStarted = false;
    }
}
