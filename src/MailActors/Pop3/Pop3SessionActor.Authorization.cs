using MailActors.Authentication;
using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Transport;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Pop3;

// Connecting and the AUTHORIZATION state: greeting, CAPA, STLS, USER/PASS, APOP, AUTH.
public sealed partial class Pop3SessionActor
{
    private void StartConnecting()
    {
        var spec = _settings.Connection with { ImplicitTls = _settings.TlsMode == TlsMode.Implicit || _settings.Connection.ImplicitTls };
        Wire.Open(spec, () => ExpectStatus(OnGreeting));
    }

    private void OnGreeting(Pop3Response greeting)
    {
        _greeting = greeting;
        if (!greeting.IsOk)
        {
            FailSession(new Pop3CommandException("greeting", greeting));
            return;
        }
        _apopTimestamp = Protocol.Pop3.Apop.ExtractTimestamp(greeting.Text);
        AskCapabilitiesIfWanted(AfterConnectCapabilities);
    }

    /// <summary>CAPA during connect: a <c>-ERR</c> only means an RFC 1939 server without capabilities.</summary>
    private void AskCapabilitiesIfWanted(Action then)
    {
        if (!_settings.RequestCapabilities)
        {
            then();
            return;
        }
        ExchangeLines(Pop3Command.Capa(), (response, lines) =>
        {
            StoreCapabilities(response, lines);
            then();
        });
    }

    private void StoreCapabilities(Pop3Response response, IReadOnlyList<string> lines)
    {
        _capabilitiesAnswered = response.IsOk;
        _capabilities = response.IsOk ? Pop3Capabilities.Parse(lines) : Pop3Capabilities.Empty;
    }

    private void AfterConnectCapabilities()
    {
        var wantsTls = _settings.TlsMode is TlsMode.StartTls or TlsMode.StartTlsWhenAvailable && !Link!.IsEncrypted;
        if (wantsTls && (_capabilities.Stls || _settings.TlsMode == TlsMode.StartTls))
        {
            RunStls(_ => AfterConnectTls(), FailSession);
        }
        else
        {
            AfterConnectTls();
        }
    }

    private void AfterConnectTls()
    {
        if (_settings.UseUtf8 && _capabilities.Utf8)
        {
            Exchange(Pop3Command.Utf8(), response =>
            {
                if (!response.IsOk)
                {
                    FailSession(new Pop3CommandException("UTF8", response));
                    return;
                }
                _utf8Enabled = true;
                LogInIfAsked();
            });
            return;
        }
        LogInIfAsked();
    }

    private void LogInIfAsked()
    {
        if (_settings.Credentials is not { } credentials)
        {
            FinishWith(ConnectedReply(null), Authorization);
            return;
        }
        void Done(LoggedIn loggedIn) => FinishWith(ConnectedReply(loggedIn), Transaction);
        var method = _settings.LoginMethod;
        if (method == Pop3LoginMethod.Auto)
        {
            method = SaslMechanism.ChooseBest(_capabilities.SaslMechanisms, credentials) is not null ? Pop3LoginMethod.Sasl
                : _apopTimestamp is not null ? Pop3LoginMethod.Apop
                : Pop3LoginMethod.UserPass;
        }
        switch (method)
        {
            case Pop3LoginMethod.Sasl:
                RunSasl(credentials, null, Done, FailSession);
                break;
            case Pop3LoginMethod.Apop:
                RunApop(credentials.UserName, credentials.Password, Done, FailSession);
                break;
            default:
                RunUserPass(credentials.UserName, credentials.Password, Done, FailSession);
                break;
        }
    }

    private Connected ConnectedReply(LoggedIn? login) =>
        new(Link!.Host, _greeting!, _apopTimestamp, _capabilities, Link.IsEncrypted, login);

    // ---- CAPA ----

    private void RunCapa() =>
        ExchangeLines(Pop3Command.Capa(), (response, lines) =>
        {
            StoreCapabilities(response, lines);
            FinishWithResponse("CAPA", response, new CapabilitiesRead(_capabilities, response), CurrentResting());
        });

    // ---- UTF8 (RFC 6856) ----

    private void RunUtf8()
    {
        if (_capabilitiesAnswered && !_capabilities.Utf8)
        {
            FinishWithFailure(new MailNotSupportedException("UTF8", $"{Link!.Host} did not list UTF8 in its capabilities."), Authorization);
            return;
        }
        Exchange(Pop3Command.Utf8(), response =>
        {
            _utf8Enabled |= response.IsOk;
            FinishWithResponse("UTF8", response, response, Authorization);
        });
    }

    // ---- STLS ----

    private void RunStls(Action<TlsStarted> onStarted, Action<Exception> onRefused)
    {
        if (Link!.IsEncrypted)
        {
            onRefused(new MailStateException("STLS", "Authorization (TLS is already up)"));
            return;
        }
        if (_utf8Enabled)
        {
            onRefused(new MailStateException("STLS", "Authorization (UTF8 is on; RFC 6856 forbids STLS after it)"));
            return;
        }
        if (_capabilitiesAnswered && !_capabilities.Stls)
        {
            onRefused(new MailNotSupportedException("STLS", $"{Link.Host} did not list STLS in its capabilities."));
            return;
        }
        Exchange(Pop3Command.Stls(), response =>
        {
            if (!response.IsOk)
            {
                onRefused(new Pop3CommandException("STLS", response));
                return;
            }
            // Whatever the server sent after its +OK is dropped unread with the plaintext reader (see WireChannel.StartTls).
            Wire.StartTls(_settings.Connection.Tls, () =>
            {
                var tls = Link!.Tls!;
                // RFC 2595 §4: what the server said before TLS must be forgotten and asked again.
                _capabilities = Pop3Capabilities.Empty;
                _capabilitiesAnswered = false;
                AskCapabilitiesIfWanted(() => onStarted(new TlsStarted(_capabilities, tls.SslProtocol.ToString(), tls.NegotiatedCipherSuite.ToString())));
            });
        });
    }

    // ---- USER / PASS ----

    private void LoggedInReply(LoggedIn loggedIn) => FinishWith(loggedIn, Transaction);

    private void LoginRefused(Exception error) => FinishWithFailure(error, Authorization);

    private void SendUser(string userName)
    {
        Pop3Command command;
        try
        {
            command = Pop3Command.User(userName);
        }
        catch (ArgumentException e)
        {
            FinishWithFailure(e, Authorization);
            return;
        }
        Exchange(command, response =>
        {
            _acceptedUser = response.IsOk ? userName : null;
            FinishWithResponse("USER", response, response, Authorization);
        });
    }

    private void RunUserPass(string userName, string password, Action<LoggedIn> onDone, Action<Exception> onFailed)
    {
        if (CleartextRefusal() is { } refusal)
        {
            onFailed(refusal);
            return;
        }
        Pop3Command user;
        try
        {
            user = Pop3Command.User(userName);
            _ = Pop3Command.Pass(password); // validated before anything is sent
        }
        catch (ArgumentException e)
        {
            onFailed(e);
            return;
        }
        Exchange(user, response =>
        {
            if (!response.IsOk)
            {
                onFailed(new Pop3CommandException("USER", response));
                return;
            }
            _acceptedUser = userName;
            SendPass(userName, password, onDone, onFailed);
        });
    }

    private void SendPass(string userName, string password, Action<LoggedIn> onDone, Action<Exception> onFailed)
    {
        Pop3Command pass;
        try
        {
            if (CleartextRefusal() is { } refusal)
            {
                throw refusal;
            }
            pass = Pop3Command.Pass(password);
        }
        catch (Exception e) when (e is ArgumentException or MailAuthenticationException)
        {
            onFailed(e);
            return;
        }
        Exchange(pass, response =>
        {
            // RFC 1939: after a refused PASS the dialogue starts over with USER.
            _acceptedUser = null;
            if (response.IsOk)
            {
                onDone(LoggedInAs(userName, "USER", response));
            }
            else
            {
                onFailed(new Pop3CommandException("PASS", response));
            }
        });
    }

    // ---- APOP ----

    private void RunApop(string userName, string password, Action<LoggedIn> onDone, Action<Exception> onFailed)
    {
        if (_apopTimestamp is null)
        {
            onFailed(new MailNotSupportedException("APOP", "The greeting carries no APOP timestamp: the server does not offer APOP."));
            return;
        }
        if (CleartextRefusal() is { } refusal)
        {
            onFailed(refusal);
            return;
        }
        Pop3Command command;
        try
        {
            command = Protocol.Pop3.Apop.Command(userName, _apopTimestamp, password);
        }
        catch (ArgumentException e)
        {
            onFailed(e);
            return;
        }
        Exchange(command, response =>
        {
            if (response.IsOk)
            {
                onDone(LoggedInAs(userName, "APOP", response));
            }
            else
            {
                onFailed(new Pop3CommandException("APOP", response));
            }
        });
    }

    // ---- AUTH (SASL, RFC 5034) ----

    private void RunSasl(SaslCredentials credentials, string? mechanism, Action<LoggedIn> onDone, Action<Exception> onFailed)
    {
        if (CleartextRefusal() is { } refusal)
        {
            onFailed(refusal);
            return;
        }
        if (mechanism is null && _capabilities.SaslMechanisms.Count == 0 && !_capabilitiesAnswered)
        {
            // No CAPA: ask the pre-RFC 5034 way (bare AUTH lists the mechanisms), as Net::POP3 does.
            ExchangeLines(Pop3Command.AuthList(), (response, lines) =>
                StartSasl(response.IsOk ? lines.Select(line => line.Trim()).Where(line => line.Length > 0).ToArray() : [], credentials, null, onDone, onFailed));
            return;
        }
        StartSasl(_capabilities.SaslMechanisms, credentials, mechanism, onDone, onFailed);
    }

    private void StartSasl(IReadOnlyList<string> offered, SaslCredentials credentials, string? mechanism, Action<LoggedIn> onDone, Action<Exception> onFailed)
    {
        SaslConversation sasl;
        Pop3Command first;
        try
        {
            sasl = SaslConversation.Start(offered, credentials, mechanism);
            first = Pop3Command.Auth(sasl.Mechanism, sasl.InitialResponse == "=" ? "" : sasl.InitialResponse);
        }
        catch (Exception e) when (e is MailAuthenticationException or ArgumentException)
        {
            onFailed(e);
            return;
        }

        void OnResponse(Pop3Response response)
        {
            if (response.IsContinuation)
            {
                if (sasl.Respond(response.Text, out var error) is not { } answer)
                {
                    // RFC 5034: a client that cannot go on cancels with "*"; the server then answers -ERR.
                    Exchange(Pop3Command.AuthCancel(), _ => onFailed(error!));
                    return;
                }
                Exchange(Pop3Command.AuthContinuation(answer), OnResponse);
            }
            else if (response.IsOk)
            {
                if (sasl.CheckSuccess() is { } unproven)
                {
                    onFailed(unproven);
                    return;
                }
                onDone(LoggedInAs(credentials.UserName, "AUTH " + sasl.Mechanism, response));
            }
            else
            {
                onFailed(new Pop3CommandException("AUTH", response));
            }
        }

        Exchange(first, OnResponse);
    }

    // ---- shared ----

    private MailAuthenticationException? CleartextRefusal() =>
        SaslConversation.CheckCleartext(Link!.IsEncrypted, _settings.AllowCleartextAuthentication);

    private LoggedIn LoggedInAs(string userName, string method, Pop3Response response)
    {
        _authenticatedAs = userName;
        _acceptedUser = null;
        _pendingDeletes.Clear();
        return new LoggedIn(method, response, Pop3Listing.TryParseLoginMessageCount(response));
    }
}
