namespace MailActors.Testing;

/// <summary>STARTTLS and AUTH.</summary>
internal sealed partial class SmtpSession
{
    private async ValueTask StartTlsAsync(string argument)
    {
        if (!_options.StartTls)
        {
            Reply(502, "5.5.1", "Error: command not implemented");
            return;
        }

        if (Channel.IsTls)
        {
            Reply(554, "5.5.1", "Error: TLS already active");
            return;
        }

        if (argument.Length > 0)
        {
            Reply(501, "5.5.4", "Syntax: STARTTLS");
            return;
        }

        Reply(220, "2.0.0", "Ready to start TLS");
        var discarded = await Channel.UpgradeToTlsAsync(_server.TlsOptions).ConfigureAwait(false);
        _log?.AddDiscardedPlaintext(discarded);

        // RFC 3207 section 4.2: forget everything learned before the handshake.
        _transaction.Reset();
        _heloName = null;
        _usedEhlo = false;
        _user = null;
        UpdateLog();
    }

    private async ValueTask AuthenticateAsync(string argument)
    {
        if (_options.AuthMechanisms.Count == 0)
        {
            Reply(502, "5.5.1", "Error: authentication not enabled");
            return;
        }

        if (!Greeted)
        {
            Reply(503, "5.5.1", "Error: send HELO/EHLO first");
            return;
        }

        if (_user is not null)
        {
            Reply(503, "5.5.1", "Error: already authenticated");
            return;
        }

        if (_transaction.HasMail)
        {
            Reply(503, "5.5.1", "Error: MAIL transaction in progress");
            return;
        }

        if (_options.RequireTlsForAuth && !Channel.IsTls)
        {
            Reply(538, "5.7.11", "Encryption required for requested authentication mechanism");
            return;
        }

        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            Reply(501, "5.5.4", "Syntax: AUTH mechanism");
            return;
        }

        var offered = _options.AuthMechanisms.Any(name => name.Equals(parts[0], StringComparison.OrdinalIgnoreCase));
        var mechanism = offered ? SaslMechanisms.CreateServer(parts[0], _options.Users, _options.ServerName) : null;
        if (mechanism is null)
        {
            Reply(504, "5.5.4", "Unsupported authentication mechanism");
            return;
        }

        if (!SaslExchange.TryDecodeInitialResponse(parts.Length > 1 ? parts[1] : null, out var initialResponse))
        {
            Reply(501, "5.5.2", "Cannot decode initial response");
            return;
        }

        var (outcome, user) = await SaslExchange.RunAsync(
            Channel,
            mechanism,
            initialResponse,
            challenge => WriteReplyLine("334 " + challenge, 334),
            line => _recorder.LogCommand(_log, line)).ConfigureAwait(false);

        switch (outcome)
        {
            case SaslOutcome.Succeeded:
                _user = user;
                UpdateLog();
                Reply(235, "2.7.0", "Authentication successful");
                break;
            case SaslOutcome.Aborted:
                Reply(501, "5.7.0", "Authentication aborted");
                break;
            case SaslOutcome.Malformed:
                Reply(501, "5.5.2", "Cannot decode response");
                break;
            case SaslOutcome.Disconnected:
                CloseRequested = true;
                break;
            default:
                Reply(535, "5.7.8", "Error: authentication failed");
                break;
        }
    }
}
