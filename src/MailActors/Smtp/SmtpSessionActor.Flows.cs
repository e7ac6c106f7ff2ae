using Akka.Actor;
using MailActors.Authentication;
using MailActors.Diagnostics;
using MailActors.Protocol.Sasl;
using MailActors.Protocol.Smtp;
using MailActors.Transport;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

// Connection set-up: connect, greeting, hello, STARTTLS, AUTH, QUIT.
public sealed partial class SmtpSessionActor
{
    private string _helloDomain = "";

    private long _stepStarted;

    private void StartConnecting()
    {
        _stepStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var spec = _settings.Connection with { ImplicitTls = _settings.TlsMode == TlsMode.Implicit || _settings.Connection.ImplicitTls };
        Wire.Open(spec, () =>
        {
            ObserveSince("connect", _stepStarted);
            Expect("banner", OnGreeting);
        });
    }

    private void OnGreeting(SmtpReply greeting)
    {
        _greeting = greeting;
        if (greeting.Code != 220)
        {
            FailSession(new MailConnectException($"{Link!.Host} refused the session: {greeting.Code} {greeting.Text}"));
            return;
        }
        if (!_settings.SendHello)
        {
            FinishWith(ConnectedReply(), Greeting);
            return;
        }
        SendHello(_settings.HelloDomain, _ => SecureAndAuthenticate(() => FinishWith(ConnectedReply(), Ready)), FailSession);
    }

    /// <summary>
    /// The steps the settings ask for once the server is greeted: STARTTLS (required or when available), then AUTH with
    /// the configured credentials. They run after the first hello whether it is sent while connecting or later (with
    /// <c>SendHello</c> off), so a session never reaches Ready without the TLS or the login it was told to have. A
    /// failure ends the session: carrying on in cleartext or unauthenticated is not an option.
    /// </summary>
    private void SecureAndAuthenticate(Action onDone)
    {
        var wantsTls = _settings.TlsMode is TlsMode.StartTls or TlsMode.StartTlsWhenAvailable && !Link!.IsEncrypted;
        if (wantsTls && _capabilities.StartTls)
        {
            RunStartTls(_ => AuthenticateIfConfigured(onDone), FailSession);
        }
        else if (wantsTls && _settings.TlsMode == TlsMode.StartTls)
        {
            FailSession(new MailNotSupportedException("STARTTLS", $"{Link!.Host} does not offer STARTTLS and TLS is required."));
        }
        else
        {
            AuthenticateIfConfigured(onDone);
        }
    }

    private void AuthenticateIfConfigured(Action onDone)
    {
        if (_settings.Credentials is { } credentials && _authenticatedAs is null)
        {
            RunAuthentication(credentials, _settings.AuthMechanism, _ => onDone(), FailSession);
        }
        else
        {
            onDone();
        }
    }

    private Connected ConnectedReply() => new(
        Link!.Host, _greeting!, ServerDomainOf(_greeting!), _capabilities, Link.IsEncrypted, _authenticatedAs)
    {
        LastReply = _lastReply ?? _greeting!,
    };

    private static string? ServerDomainOf(SmtpReply greeting)
    {
        var first = greeting.Lines.Count > 0 ? greeting.Lines[0] : "";
        var space = first.IndexOf(' ', StringComparison.Ordinal);
        var word = space < 0 ? first : first[..space];
        return word.Length == 0 ? null : word;
    }

    // ---- EHLO / HELO ----

    private void SendHello(string domain, Action<Greeted> onGreeted) =>
        SendHello(domain, onGreeted, e => FinishWithFailure(e, CurrentResting()));

    /// <summary>EHLO; HELO only after a 5xx (a 4xx or 421 is the server's way of saying "not now", not "no ESMTP").</summary>
    private void SendHello(string domain, Action<Greeted> onGreeted, Action<Exception> onRefused)
    {
        SmtpCommand ehlo;
        try
        {
            ehlo = SmtpCommand.Ehlo(domain);
        }
        catch (ArgumentException e)
        {
            onRefused(e);
            return;
        }
        _helloDomain = domain;
        Exchange(ehlo, reply =>
        {
            if (reply.IsPositiveCompletion)
            {
                _capabilities = SmtpCapabilities.FromEhloReply(reply);
                onGreeted(new Greeted(reply, _capabilities, UsedHelo: false, Link!.IsEncrypted, _authenticatedAs));
            }
            else if (reply.IsPermanentNegative)
            {
                Exchange(SmtpCommand.Helo(domain), helo =>
                {
                    if (helo.IsPositiveCompletion)
                    {
                        _capabilities = SmtpCapabilities.None;
                        onGreeted(new Greeted(helo, _capabilities, UsedHelo: true, Link!.IsEncrypted, _authenticatedAs));
                    }
                    else
                    {
                        onRefused(new SmtpCommandException("HELO", helo));
                    }
                });
            }
            else
            {
                onRefused(new SmtpCommandException("EHLO", reply));
            }
        });
    }

    // ---- STARTTLS ----

    private void RunStartTls(Action<TlsStarted> onStarted) =>
        RunStartTls(onStarted, e => FinishWithFailure(e, CurrentResting()));

    private void RunStartTls(Action<TlsStarted> onStarted, Action<Exception> onRefused)
    {
        if (Link!.IsEncrypted)
        {
            onRefused(new MailStateException("STARTTLS", "Ready (TLS is already up)"));
            return;
        }
        if (!_capabilities.StartTls)
        {
            onRefused(new MailNotSupportedException("STARTTLS", $"{Link.Host} did not advertise STARTTLS."));
            return;
        }
        Exchange(SmtpCommand.StartTls(), reply =>
        {
            if (reply.Code != 220)
            {
                onRefused(new SmtpCommandException("STARTTLS", reply));
                return;
            }
            // Whatever the server sent after its 220 is dropped unread with the plaintext reader (see WireChannel.StartTls).
            _stepStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            Wire.StartTls(_settings.Connection.Tls, () =>
            {
                ObserveSince("tls", _stepStarted);
                var tls = Link!.Tls!;
                _parser.Reset();
                _capabilities = SmtpCapabilities.None;
                // RFC 3207: the client must discard what it knew and greet again.
                SendHello(_helloDomain, greeted => onStarted(new TlsStarted(greeted.Capabilities, tls.SslProtocol.ToString(), tls.NegotiatedCipherSuite.ToString())), onRefused);
            });
        });
    }

    // ---- AUTH ----

    private void RunAuthentication(SaslCredentials credentials, string? mechanism, Action<Authenticated> onDone) =>
        RunAuthentication(credentials, mechanism, onDone, e => FinishWithFailure(e, CurrentResting()));

    private void RunAuthentication(SaslCredentials credentials, string? mechanism, Action<Authenticated> onDone, Action<Exception> onFailed)
    {
        if (_authenticatedAs is not null)
        {
            onFailed(new MailStateException("AUTH", "Ready (already authenticated)"));
            return;
        }
        if (SaslConversation.CheckCleartext(Link!.IsEncrypted, _settings.AllowCleartextAuthentication) is { } cleartext)
        {
            onFailed(cleartext);
            return;
        }
        SaslConversation sasl;
        try
        {
            sasl = SaslConversation.Start(_capabilities.AuthMechanisms, credentials, mechanism);
        }
        catch (MailAuthenticationException e)
        {
            onFailed(e);
            return;
        }
        var name = sasl.Mechanism;
        var first = SmtpCommand.Auth(name, sasl.InitialResponse);

        void OnReply(SmtpReply reply)
        {
            if (reply.Code == 334)
            {
                if (sasl.Respond(reply.Text, out var error) is not { } response)
                {
                    // RFC 4954: a client that cannot go on cancels with "*"; the server then answers 501.
                    Exchange(SmtpCommand.AuthContinuation("*"), _ => onFailed(error!));
                    return;
                }
                Exchange(SmtpCommand.AuthContinuation(response), OnReply);
            }
            else if (reply.IsPositiveCompletion)
            {
                if (sasl.CheckSuccess() is { } unproven)
                {
                    onFailed(unproven);
                    return;
                }
                _authenticatedAs = credentials.UserName;
                onDone(new Authenticated(name, reply));
            }
            else
            {
                onFailed(new MailAuthenticationException($"AUTH {name} was refused: {reply.Code} {reply.Text}", new SmtpCommandException("AUTH", reply)));
            }
        }

        Exchange(first, OnReply);
    }

    // ---- QUIT ----

    private void RunQuit()
    {
        Exchange(SmtpCommand.Quit(), reply =>
        {
            CloseConnection("QUIT");
            ClosedBecause = new MailSessionClosedException("QUIT completed.");
            FinishWith(reply, Closed);
        });
    }
}
