using System.Text;

namespace MailActors.Testing;

/// <summary>The AUTHORIZATION state: CAPA, STLS, USER/PASS, APOP, AUTH, QUIT.</summary>
internal sealed partial class Pop3Session
{
    private string? _pendingUser;

    private bool LoginAllowed => !_options.RequireTlsForAuth || Channel.IsTls;

    private async ValueTask AuthorizationCommandAsync(string verb, string argument)
    {
        // PASS must directly follow USER; any other command forgets the user name.
        var pendingUser = _pendingUser;
        _pendingUser = null;
        switch (verb)
        {
            case "CAPA":
                Capa();
                break;
            case "USER":
                User(argument);
                break;
            case "PASS":
                Pass(pendingUser, argument);
                break;
            case "APOP":
                Apop(argument);
                break;
            case "AUTH":
                await AuthenticateAsync(argument).ConfigureAwait(false);
                break;
            case "STLS":
                await StartTlsAsync(argument).ConfigureAwait(false);
                break;
            case "QUIT":
                Ok("Bye");
                CloseRequested = true;
                break;
            case "STAT" or "LIST" or "UIDL" or "TOP" or "RETR" or "DELE" or "RSET" or "NOOP" or "LAST":
                Err(null, "Not logged in");
                break;
            case "UTF8" or "LANG" when ServesInternationalization(verb):
                ServeInternationalization(verb, argument);
                break;
            default:
                Err(null, "Unknown command");
                break;
        }
    }

    private void User(string argument)
    {
        if (!_options.UserPass)
        {
            Err(null, "USER/PASS not supported");
        }
        else if (!LoginAllowed)
        {
            AuthErr("Plaintext authentication disallowed on non-secure connections");
        }
        else if (argument.Length == 0)
        {
            Err(null, "Syntax: USER name");
        }
        else if (!Ascii.IsValid(argument) && !(_utf8 && _options.Utf8User))
        {
            Err(null, "Non-ASCII user names need UTF8 USER and UTF8 first"); // RFC 6856 §2
        }
        else
        {
            _pendingUser = argument;
            Ok("Send PASS");
        }
    }

    private void Pass(string? user, string password)
    {
        if (user is null)
        {
            Err(null, "No USER given");
            return;
        }

        CompleteLogin(PasswordMatches(user, password) ? user : null);
    }

    private void Apop(string argument)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (_apopTimestamp is null)
        {
            Err(null, "APOP not supported");
            return;
        }

        if (!LoginAllowed)
        {
            AuthErr("Authentication disallowed on non-secure connections");
            return;
        }

        if (parts.Length != 2)
        {
            Err(null, "Syntax: APOP name digest");
            return;
        }

        var (user, digest) = (parts[0], parts[1]);
        var valid = _options.Users.TryGetValue(user, out var password)
            && string.Equals(Protocol.Pop3.Apop.Digest(_apopTimestamp, password), digest, StringComparison.OrdinalIgnoreCase);
        CompleteLogin(valid ? user : null);
    }

    private async ValueTask AuthenticateAsync(string argument)
    {
        if (argument.Length == 0)
        {
            // The de-facto "AUTH" without argument: list the mechanisms.
            Ok("Supported mechanisms follow");
            foreach (var name in _options.AuthMechanisms)
            {
                Channel.WriteLine(name);
            }

            Channel.WriteLine(".");
            return;
        }

        if (!LoginAllowed)
        {
            AuthErr("Authentication disallowed on non-secure connections");
            return;
        }

        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var offered = _options.AuthMechanisms.Any(name => name.Equals(parts[0], StringComparison.OrdinalIgnoreCase));
        var mechanism = offered ? SaslMechanisms.CreateServer(parts[0], _options.Users, _options.ServerName) : null;
        if (mechanism is null)
        {
            Err(null, "Unsupported authentication mechanism");
            return;
        }

        if (!SaslExchange.TryDecodeInitialResponse(parts.Length > 1 ? parts[1] : null, out var initialResponse))
        {
            Err(null, "Cannot decode initial response");
            return;
        }

        var (outcome, user) = await SaslExchange.RunAsync(
            Channel,
            mechanism,
            initialResponse,
            challenge => Channel.WriteLine("+ " + challenge),
            _recorder.LogCommand).ConfigureAwait(false);

        switch (outcome)
        {
            case SaslOutcome.Succeeded:
                CompleteLogin(user);
                break;
            case SaslOutcome.Aborted:
                Err(null, "Authentication aborted");
                break;
            case SaslOutcome.Malformed:
                Err(null, "Cannot decode response");
                break;
            case SaslOutcome.Disconnected:
                CloseRequested = true;
                break;
            default:
                CompleteLogin(null);
                break;
        }
    }

    private async ValueTask StartTlsAsync(string argument)
    {
        if (!_options.StartTls || Channel.IsTls || argument.Length > 0)
        {
            Err(null, Channel.IsTls ? "TLS already active" : "STLS not available");
            return;
        }

        Ok("Begin TLS negotiation now.");
        await Channel.UpgradeToTlsAsync(_server.TlsOptions).ConfigureAwait(false);
    }

    /// <summary>Finishes a login attempt: on success the maildrop is locked and the session enters TRANSACTION.</summary>
    private void CompleteLogin(string? user)
    {
        _recorder.Login(user is not null);
        if (user is null)
        {
            AuthErr("Authentication failed.");
            return;
        }

        var mailbox = _server.GetMailbox(user);
        var view = mailbox.TryLock(this);
        if (view is null)
        {
            Err("IN-USE", "Mailbox is locked by another session");
            return;
        }

        EnterTransaction(mailbox, view);
        Ok("Logged in.");
    }

    private bool PasswordMatches(string user, string password) =>
        _options.Users.TryGetValue(user, out var expected) && string.Equals(expected, password, StringComparison.Ordinal);
}
