using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Protocol.Smtp;
using MailActors.Sessions;
using MailActors.Transport;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

/// <summary>
/// One SMTP session: owns one connection and speaks the protocol on it. The protocol states are behaviours —
/// <c>Disconnected → Greeting → Ready ⇄ InTransaction → InData → Ready … → Closed</c> — and every exchange on the wire
/// (connect, greeting, hello, STARTTLS, AUTH, a transaction, QUIT) runs in <c>Exchanging</c> between two of them.
/// Commands arriving while an exchange is on the wire wait in the stash;
/// a command that is not legal in the resting state is refused at once. See <see cref="SmtpSession"/> for the protocol.
/// </summary>
public sealed partial class SmtpSessionActor : MailSessionActor
{
    private readonly SmtpSessionSettings _settings;
    private readonly ISessionObserver? _observer;
    private readonly SmtpReplyParser _parser;

    private SmtpReply? _greeting;
    private SmtpReply? _lastReply;
    private SmtpCapabilities _capabilities = SmtpCapabilities.None;
    private string? _authenticatedAs;

    // Transaction bookkeeping for the resting states InTransaction / InData.
    private int _acceptedRecipients;
    private bool _bdatStarted;

    /// <summary>Creates the actor; prefer <see cref="Props(SmtpSessionSettings)"/>.</summary>
    public SmtpSessionActor(SmtpSessionSettings settings)
        : base((settings ?? throw new ArgumentNullException(nameof(settings))).CommandTimeout, settings.Transcript)
    {
        _settings = settings;
        _observer = settings.Observer;
        _parser = new SmtpReplyParser(settings.ReplyLimits);
    }

    /// <summary>Props for a session with <paramref name="settings"/>.</summary>
    public static Props Props(SmtpSessionSettings settings) => Akka.Actor.Props.Create(() => new SmtpSessionActor(settings));

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        Wire.AlsoWatch(WatchTransactionDeadline, _settings.TransactionTimeout);
    }

    // ---- resting behaviours: each names the commands legal in that protocol state ----

    private protected override void Disconnected(object message)
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
                // The first hello also runs the STARTTLS and AUTH the settings ask for; the answer shows what followed.
                SendHello(hello.Domain ?? _settings.HelloDomain, greeted =>
                    SecureAndAuthenticate(() => FinishWith(greeted with { Capabilities = _capabilities, IsEncrypted = Link!.IsEncrypted, AuthenticatedAs = _authenticatedAs }, Ready)));
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

    private protected override bool IsInfoRequest(object message) => message is GetInfo;

    private protected override object Snapshot() =>
        new SmtpSession.Info(State, Link?.Host, _greeting, _capabilities, Link?.IsEncrypted ?? false, _authenticatedAs, _lastReply);

    private protected override UntypedReceive CurrentResting() => State switch
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
