using System.Globalization;

namespace MailActors.Testing;

/// <summary>The mail transaction: MAIL, RCPT, DATA, BDAT and the end of the message.</summary>
internal sealed partial class SmtpSession
{
    private bool AuthOffered => _options.AuthMechanisms.Count > 0 && (!_options.RequireTlsForAuth || Channel.IsTls);

    private long? SizeLimit => _options.MaxMessageSize is > 0 ? _options.MaxMessageSize : null;

    private void Mail(string verb, string argument)
    {
        if (!Greeted)
        {
            Reply(503, "5.5.1", "Error: send HELO/EHLO first");
            return;
        }

        if (_transaction.HasMail)
        {
            Reply(503, "5.5.1", "Error: nested MAIL command");
            return;
        }

        if (_options.RequireTls && !Channel.IsTls)
        {
            Reply(530, "5.7.0", "Must issue a STARTTLS command first");
            return;
        }

        if (_options.RequireAuth && _user is null)
        {
            Reply(530, "5.7.0", "Authentication required");
            return;
        }

        var parse = SmtpCommandParser.ParsePath(argument, "FROM:");
        if (parse.Status == PathParseStatus.MissingKeyword)
        {
            Reply(501, "5.5.4", $"Syntax: {verb} FROM:<address>");
            return;
        }

        if (parse.Status != PathParseStatus.Ok)
        {
            Reply(501, "5.1.7", "Bad sender address syntax");
            return;
        }

        var utf8 = false;
        var binaryMime = false;
        foreach (var parameter in parse.Parameters)
        {
            var (keyword, value) = SmtpParameters.Split(parameter);
            switch (keyword.ToUpperInvariant())
            {
                case "SIZE" when _usedEhlo && _options.MaxMessageSize is not null:
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var declared))
                    {
                        Reply(501, "5.5.4", "Bad message size syntax");
                        return;
                    }

                    if (SizeLimit is { } limit && declared > limit)
                    {
                        Reply(552, "5.3.4", "Message size exceeds fixed limit");
                        return;
                    }

                    break;

                case "BODY" when _usedEhlo:
                    var body = value.ToUpperInvariant();
                    if (!(body == "7BIT" || (body == "8BITMIME" && _options.EightBitMime) || (body == "BINARYMIME" && _options.BinaryMime && _options.Chunking)))
                    {
                        Reply(501, "5.5.4", "Unsupported BODY parameter value");
                        return;
                    }

                    binaryMime = body == "BINARYMIME";
                    break;

                case "SMTPUTF8" when _usedEhlo && _options.SmtpUtf8 && value.Length == 0:
                    utf8 = true;
                    break;

                case "RET" or "ENVID" when _usedEhlo && _options.Dsn:
                case "AUTH" when _usedEhlo && AuthOffered:
                    break;

                // Parameters of extensions the test advertises through AdditionalExtensions (XVERP, CHECKPOINT's TRANSID).
                case var extra when _usedEhlo && AdvertisesAdditional(extra == "TRANSID" ? "CHECKPOINT" : extra):
                    break;

                default:
                    Reply(555, "5.5.4", $"Unsupported option: {parameter}");
                    return;
            }
        }

        if (!utf8 && !SmtpCommandParser.IsAscii(parse.Path))
        {
            Reply(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address");
            return;
        }

        _transaction.Begin(parse.Path, parse.Parameters, utf8, binaryMime, _recorder.Record || _options.Inspectors.Count > 0, SizeLimit);
        Reply(250, "2.1.0", "Ok");
    }

    private void Rcpt(string argument)
    {
        if (!Greeted)
        {
            Reply(503, "5.5.1", "Error: send HELO/EHLO first");
            return;
        }

        if (!_transaction.HasMail)
        {
            Reply(503, "5.5.1", "Error: need MAIL command");
            return;
        }

        var parse = SmtpCommandParser.ParsePath(argument, "TO:");
        if (parse.Status == PathParseStatus.MissingKeyword)
        {
            Reply(501, "5.5.4", "Syntax: RCPT TO:<address>");
            return;
        }

        if (parse.Status != PathParseStatus.Ok || parse.Path.Length == 0)
        {
            Reply(501, "5.1.3", "Bad recipient address syntax");
            return;
        }

        foreach (var parameter in parse.Parameters)
        {
            var keyword = SmtpParameters.Split(parameter).Keyword.ToUpperInvariant();
            if (!(_usedEhlo && _options.Dsn && keyword is "NOTIFY" or "ORCPT"))
            {
                Reply(555, "5.5.4", $"Unsupported option: {parameter}");
                return;
            }
        }

        var address = parse.Path;
        if (!_transaction.Utf8 && !SmtpCommandParser.IsAscii(address))
        {
            Reply(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address");
            return;
        }

        if (_options.MaxRecipients is { } max && _transaction.Recipients.Count >= max)
        {
            Reply(452, "4.5.3", "Error: too many recipients");
            return;
        }

        if (IsUnknownRecipient(address))
        {
            Reply(550, "5.1.1", $"<{address}>: Recipient address rejected: User unknown");
            return;
        }

        if (_user is null && IsRelayDenied(address))
        {
            Reply(554, "5.7.1", $"<{address}>: Relay access denied");
            return;
        }

        _transaction.Recipients.Add(new SmtpRecipient(address, parse.Parameters));
        _recorder.RecipientAccepted();
        Reply(250, "2.1.5", "Ok");
    }

    private void Data(string argument)
    {
        if (argument.Length > 0)
        {
            Reply(501, "5.5.4", "Syntax: DATA");
        }
        else if (!_transaction.HasMail)
        {
            Reply(503, "5.5.1", "Error: need MAIL command");
        }
        else if (_transaction.Recipients.Count == 0)
        {
            Reply(503, "5.5.1", "Error: need RCPT command");
        }
        else if (_transaction.UsedBdat)
        {
            Reply(503, "5.5.1", "Error: DATA after BDAT");
        }
        else if (_transaction.BinaryMime)
        {
            Reply(503, "5.5.1", "Error: BODY=BINARYMIME requires BDAT");
        }
        else
        {
            Reply(354, null, "End data with <CR><LF>.<CR><LF>");
            _awaitingData = true;
        }
    }

    private async ValueTask ReceiveDataAsync()
    {
        _dataDecoder.Reset();
        if (!await Channel.ReadDotTerminatedAsync(_dataDecoder, _transaction.Content).ConfigureAwait(false))
        {
            CloseRequested = true;
            return;
        }

        await RunStepAsync(FaultCommands.EndOfData, "", new SmtpStep(SmtpStepKind.EndOfMessage)).ConfigureAwait(false);
    }

    /// <summary>Reads a BDAT chunk whatever the state (RFC 3030: a refused chunk is still consumed), then runs the chunk step.</summary>
    private async ValueTask ReceiveChunkAsync(string argument)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || (parts.Length == 2 && !parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase)))
        {
            Reply(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]");
            return;
        }

        var accepted = _transaction.HasMail && _transaction.Recipients.Count > 0;
        if (accepted)
        {
            _transaction.UsedBdat = true;
        }

        if (!await Channel.ReadExactAsync(size, accepted ? _transaction.Content : null).ConfigureAwait(false))
        {
            CloseRequested = true;
            return;
        }

        var step = new SmtpStep(SmtpStepKind.BdatChunk, "BDAT", argument, size, LastChunk: parts.Length == 2, ChunkAccepted: accepted);
        await RunStepAsync(FaultCommands.Bdat, argument, step).ConfigureAwait(false);
    }

    private async ValueTask CompleteChunkAsync(SmtpStep step)
    {
        if (!step.ChunkAccepted)
        {
            Reply(503, "5.5.1", _transaction.HasMail ? "Error: need RCPT command" : "Error: need MAIL command");
            return;
        }

        if (_transaction.Content.LimitExceeded)
        {
            Reply(552, "5.3.4", "Message size exceeds fixed limit");
            _transaction.Reset();
            return;
        }

        if (!step.LastChunk)
        {
            Reply(250, "2.0.0", string.Create(CultureInfo.InvariantCulture, $"{step.ChunkSize} octets received"));
            return;
        }

        await RunStepAsync(FaultCommands.EndOfData, "", new SmtpStep(SmtpStepKind.EndOfMessage)).ConfigureAwait(false);
    }

    private async ValueTask CompleteMessage()
    {
        var content = _transaction.Content;
        if (content.LimitExceeded)
        {
            Reply(552, "5.3.4", "Message size exceeds fixed limit");
            _transaction.Reset();
            return;
        }

        var queueId = string.Create(CultureInfo.InvariantCulture, $"{_id:X6}{++_messagesInSession:X4}");
        var envelope = _recorder.Record || _options.Inspectors.Count > 0
            ? new SmtpEnvelope(_transaction.MailFrom, _transaction.MailParameters, _transaction.Recipients)
            : null;
        var data = envelope is null ? null : content.ToArray();
        foreach (var inspector in _options.Inspectors)
        {
            await inspector.InspectAsync(envelope!, data!).ConfigureAwait(false);
        }

        ReceivedMessage? message = null;
        if (_recorder.Record)
        {
            message = new ReceivedMessage
            {
                QueueId = queueId,
                SessionId = _id,
                Envelope = envelope!,
                Data = data!,
                UsedTls = Channel.IsTls,
                TlsProtocol = Channel.Tls?.SslProtocol ?? System.Security.Authentication.SslProtocols.None,
                AuthenticatedUser = _user,
                UsedBdat = _transaction.UsedBdat,
                HeloName = _heloName,
                UsedEhlo = _usedEhlo,
                RemoteEndPoint = Channel.RemoteEndPoint,
                ReceivedAt = DateTimeOffset.UtcNow,
            };
        }

        _recorder.MessageAccepted(message, content.Length);
        _transaction.Reset();
        Reply(250, "2.0.0", "Ok: queued as " + queueId);
    }

    private bool IsUnknownRecipient(string address) =>
        _options.UnknownRecipients.Contains(address, StringComparer.OrdinalIgnoreCase)
        || (_options.IsUnknownRecipient?.Invoke(address) ?? false);

    private bool IsRelayDenied(string address)
    {
        if (_options.RelayDeniedDomains.Count == 0)
        {
            return false;
        }

        var domain = SmtpCommandParser.DomainOf(address);
        return _options.RelayDeniedDomains.Contains(domain, StringComparer.OrdinalIgnoreCase);
    }

    private bool AdvertisesAdditional(string keyword) =>
        _options.AdditionalExtensions.Any(e => e.Split(' ')[0].Equals(keyword, StringComparison.OrdinalIgnoreCase));
}
