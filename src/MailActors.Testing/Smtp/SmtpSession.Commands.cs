using System.Globalization;

namespace MailActors.Testing;

/// <summary>Session-level SMTP commands: EHLO, HELO, RSET, VRFY, EXPN, HELP, ETRN.</summary>
internal sealed partial class SmtpSession
{
    private void Ehlo(string argument)
    {
        if (_options.RejectEhlo)
        {
            WriteFaultReply(_options.RejectEhloReply);
            return;
        }

        if (argument.Length == 0)
        {
            Reply(501, "5.5.4", "Syntax: EHLO hostname");
            return;
        }

        _transaction.Reset();
        _heloName = argument;
        _usedEhlo = true;
        UpdateLog();

        var lines = new List<string> { _options.ServerName };
        lines.AddRange(Extensions());
        if (_options.EhloStyle == EhloReplyStyle.SmtpSinkBareFinalLine)
        {
            // smtp-sink ends with "250 " and no keyword: every real line is a continuation.
            lines.Add("");
        }

        ReplyLines(250, lines);
    }

    private IEnumerable<string> Extensions()
    {
        if (_options.Pipelining)
        {
            yield return "PIPELINING";
        }

        if (_options.MaxMessageSize is { } size)
        {
            // No limit is a bare keyword, as Postfix says it (message_size_limit = 0); RFC 1870 allows both forms.
            yield return size == 0 ? "SIZE" : string.Create(CultureInfo.InvariantCulture, $"SIZE {size}");
        }

        if (_options.Vrfy)
        {
            yield return "VRFY";
        }

        if (_options.Etrn)
        {
            yield return "ETRN";
        }

        if (_options.StartTls && !Channel.IsTls)
        {
            yield return "STARTTLS";
        }

        if (AuthOffered)
        {
            yield return "AUTH " + string.Join(' ', _options.AuthMechanisms);
        }

        if (_options.EnhancedStatusCodes)
        {
            yield return "ENHANCEDSTATUSCODES";
        }

        if (_options.EightBitMime)
        {
            yield return "8BITMIME";
        }

        if (_options.BinaryMime && _options.Chunking)
        {
            yield return "BINARYMIME";
        }

        if (_options.Dsn)
        {
            yield return "DSN";
        }

        if (_options.SmtpUtf8)
        {
            yield return "SMTPUTF8";
        }

        if (_options.Chunking)
        {
            yield return "CHUNKING";
        }

        foreach (var extension in _options.AdditionalExtensions)
        {
            yield return extension;
        }
    }

    private void Helo(string argument)
    {
        if (argument.Length == 0)
        {
            Reply(501, "5.5.4", "Syntax: HELO hostname");
            return;
        }

        _transaction.Reset();
        _heloName = argument;
        _usedEhlo = false;
        UpdateLog();
        Reply(250, null, _options.ServerName);
    }

    private void Rset(string argument)
    {
        if (argument.Length > 0)
        {
            Reply(501, "5.5.4", "Syntax: RSET");
            return;
        }

        _transaction.Reset();
        Reply(250, "2.0.0", "Ok");
    }

    private void Vrfy(string argument)
    {
        if (!_options.Vrfy)
        {
            Reply(502, "5.5.1", "VRFY command is disabled");
            return;
        }

        if (argument.Length == 0)
        {
            Reply(501, "5.5.4", "Syntax: VRFY address");
            return;
        }

        if (_options.VrfyResponder is { } responder)
        {
            WriteFaultReply(responder(argument));
            return;
        }

        var address = argument.Trim('<', '>');
        if (IsUnknownRecipient(address))
        {
            Reply(550, "5.1.1", $"<{address}>: Recipient address rejected: User unknown");
            return;
        }

        Reply(252, "2.0.0", address);
    }

    private void Expn(string argument)
    {
        if (!_options.Expn)
        {
            Reply(502, "5.5.1", "EXPN command is disabled");
            return;
        }

        if (argument.Length == 0)
        {
            Reply(501, "5.5.4", "Syntax: EXPN mailing-list");
            return;
        }

        var name = argument.Trim('<', '>');
        var members = _options.MailingLists
            .FirstOrDefault(list => list.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        if (members is null || members.Count == 0)
        {
            Reply(550, "5.1.1", $"<{name}>: mailing list not found");
            return;
        }

        var prefix = _options.EnhancedStatusCodes ? "2.0.0 " : "";
        ReplyLines(250, [.. members.Select(member => $"{prefix}<{member}>")]);
    }

    private void Help()
    {
        var prefix = _options.EnhancedStatusCodes ? "2.0.0 " : "";
        ReplyLines(214,
        [
            prefix + "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP ETRN AUTH STARTTLS",
            prefix + "End of HELP info",
        ]);
    }

    private void Etrn(string argument)
    {
        if (!_options.Etrn)
        {
            Reply(502, "5.5.1", "Error: command not implemented");
        }
        else if (!Greeted)
        {
            Reply(503, "5.5.1", "Error: send HELO/EHLO first");
        }
        else if (_transaction.HasMail)
        {
            Reply(503, "5.5.1", "Error: MAIL transaction in progress");
        }
        else if (argument.Length == 0)
        {
            Reply(501, "5.5.4", "Syntax: ETRN domain");
        }
        else
        {
            Reply(250, null, "Queuing started");
        }
    }
}
