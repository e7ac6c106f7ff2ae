using System.Globalization;
using System.Text;

namespace MailActors.Protocol.Smtp;

/// <summary>Validates MAIL FROM and RCPT TO parameters and appends them, each preceded by a space.</summary>
internal static class EsmtpParameters
{
    public static void AppendMail(StringBuilder line, MailParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters.Extra, nameof(MailParameters.Extra));
        // Keywords sent so far, to refuse an extra parameter that repeats one; only needed when there are extras.
        var sent = parameters.Extra.Count == 0 ? null : new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (parameters.Size is { } size)
        {
            if (size < 0)
            {
                throw new MailArgumentException($"SIZE must not be negative; got {size}.", nameof(MailParameters.Size));
            }

            line.Append(CultureInfo.InvariantCulture, $" SIZE={size}"); // formatted into the line, no string of its own
            sent?.Add("SIZE");
        }

        if (parameters.Body is { } body)
        {
            Append(line, sent, "BODY", body switch
            {
                BodyType.SevenBit => "7BIT",
                BodyType.EightBitMime => "8BITMIME",
                BodyType.BinaryMime => "BINARYMIME",
                _ => throw new MailArgumentException($"Unknown body type {body}.", nameof(MailParameters.Body)),
            });
        }

        if (parameters.SmtpUtf8)
        {
            Append(line, sent, "SMTPUTF8", null);
        }

        if (parameters.Return is { } ret)
        {
            Append(line, sent, "RET", ret switch
            {
                DsnReturn.Full => "FULL",
                DsnReturn.Headers => "HDRS",
                _ => throw new MailArgumentException($"Unknown DSN return {ret}.", nameof(MailParameters.Return)),
            });
        }

        if (parameters.EnvelopeId is not null && parameters.EnvelopeIdRaw is not null)
        {
            throw new MailArgumentException("Set EnvelopeId or EnvelopeIdRaw, not both.", nameof(MailParameters.EnvelopeIdRaw));
        }

        if (parameters.EnvelopeIdRaw is { } envelopeIdRaw)
        {
            Append(line, sent, "ENVID", ValidateRaw(envelopeIdRaw, "ENVID", nameof(MailParameters.EnvelopeIdRaw)));
        }
        else if (parameters.EnvelopeId is { } envelopeId)
        {
            WireText.EnsureSafe(envelopeId, nameof(MailParameters.EnvelopeId));
            if (envelopeId.Length == 0)
            {
                throw new MailArgumentException("ENVID must not be empty.", nameof(MailParameters.EnvelopeId));
            }

            Append(line, sent, "ENVID", XText.Encode(envelopeId));
        }

        if (parameters.Auth is not null && parameters.AuthRaw is not null)
        {
            throw new MailArgumentException("Set Auth or AuthRaw, not both.", nameof(MailParameters.AuthRaw));
        }

        if (parameters.AuthRaw is { } authRaw)
        {
            Append(line, sent, "AUTH", ValidateRaw(authRaw, "AUTH=", nameof(MailParameters.AuthRaw)));
        }
        else if (parameters.Auth is { } auth)
        {
            Append(line, sent, "AUTH", EncodeSubmitter(auth));
        }

        if (parameters.TransactionId is { } transactionId)
        {
            Append(line, sent, "TRANSID", TransactionPath(transactionId));
        }

        if (parameters.Xverp)
        {
            Append(line, sent, "XVERP", null);
        }

        if (sent is not null)
        {
            AppendExtra(line, sent, parameters.Extra);
        }
    }

    public static void AppendRecipient(StringBuilder line, RecipientParameters parameters)
    {
        if (parameters.Notify != DsnNotify.None)
        {
            line.Append(" NOTIFY=").Append(NotifyValue(parameters.Notify));
        }

        if (parameters.OriginalRecipient is not null && parameters.OriginalRecipientRaw is not null)
        {
            throw new MailArgumentException(
                "Set OriginalRecipient or OriginalRecipientRaw, not both.", nameof(RecipientParameters.OriginalRecipientRaw));
        }

        if (parameters.OriginalRecipient is { } original)
        {
            line.Append(" ORCPT=").Append(EncodeOriginalRecipient(original));
        }
        else if (parameters.OriginalRecipientRaw is { } raw)
        {
            ValidateRawOriginalRecipient(raw);
            line.Append(" ORCPT=").Append(raw);
        }
    }

    private static string NotifyValue(DsnNotify notify)
    {
        const DsnNotify conditions = DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay;
        if ((notify & ~(conditions | DsnNotify.Never)) != 0)
        {
            throw new MailArgumentException($"NOTIFY has unknown flags: {notify}.", nameof(RecipientParameters.Notify));
        }

        if (notify.HasFlag(DsnNotify.Never))
        {
            return notify == DsnNotify.Never
                ? "NEVER"
                : throw new MailArgumentException(
                    $"NOTIFY=NEVER cannot be combined with SUCCESS, FAILURE or DELAY; got {notify}.", nameof(RecipientParameters.Notify));
        }

        var parts = new List<string>(3);
        if (notify.HasFlag(DsnNotify.Success))
        {
            parts.Add("SUCCESS");
        }

        if (notify.HasFlag(DsnNotify.Failure))
        {
            parts.Add("FAILURE");
        }

        if (notify.HasFlag(DsnNotify.Delay))
        {
            parts.Add("DELAY");
        }

        return string.Join(',', parts);
    }

    private static string EncodeOriginalRecipient(string original)
    {
        WireText.EnsureSafe(original, nameof(RecipientParameters.OriginalRecipient));
        var address = StripBrackets(original.Trim());
        if (address.Length == 0)
        {
            throw new MailArgumentException("ORCPT address must not be empty.", nameof(RecipientParameters.OriginalRecipient));
        }

        return SmtpPath.RequiresSmtpUtf8(address)
            ? "utf-8;" + Utf8AddressXText.Encode(address)
            : "rfc822;" + XText.Encode(address);
    }

    private static void ValidateRawOriginalRecipient(string raw)
    {
        WireText.EnsureSafe(raw, nameof(RecipientParameters.OriginalRecipientRaw));
        var separator = raw.IndexOf(';', StringComparison.Ordinal);
        var valid = separator > 0 && separator < raw.Length - 1;
        for (var i = 0; valid && i < raw.Length; i++)
        {
            var c = raw[i];
            valid = i < separator
                ? char.IsAsciiLetterOrDigit(c) || c == '-'
                : i == separator || (c > ' ' && c != '\x7f' && c != '=');
        }

        if (!valid)
        {
            throw new MailArgumentException(
                $"ORCPT must be 'addr-type;encoded-address' without spaces, controls or '='; got '{raw}'.",
                nameof(RecipientParameters.OriginalRecipientRaw));
        }
    }

    // Pre-encoded values go out verbatim: decoding and encoding again would turn octets that are not UTF-8 into U+FFFD.
    // So the check is of the xtext itself (RFC 3461), ASCII only, as nothing declares SMTPUTF8 for these values.
    private static string ValidateRaw(string raw, string keyword, string parameterName)
    {
        WireText.EnsureSafe(raw, parameterName);
        if (!XText.IsEncoded(raw, out var error))
        {
            throw new MailArgumentException($"{keyword} '{raw}' is not xtext: {error}", parameterName);
        }

        return raw;
    }

    private static string EncodeSubmitter(string auth)
    {
        WireText.EnsureSafe(auth, nameof(MailParameters.Auth));
        var trimmed = auth.Trim();
        if (trimmed.Length == 0 || trimmed == SmtpPath.Null)
        {
            return SmtpPath.Null;
        }

        var mailbox = StripBrackets(trimmed);
        var position = 0;
        if (!SmtpPathSyntax.TryMailbox(mailbox, ref position, out var error))
        {
            throw new MailArgumentException($"AUTH= submitter '{auth}' is not a mailbox: {error}", nameof(MailParameters.Auth));
        }

        return XText.Encode(mailbox);
    }

    private static string TransactionPath(string transactionId)
    {
        WireText.EnsureSafe(transactionId, nameof(MailParameters.TransactionId));
        var trimmed = transactionId.Trim();
        var path = trimmed.StartsWith('<') ? trimmed : $"<{trimmed}>";
        if (!SmtpPathSyntax.TryValidate(path, allowNull: false, out var error))
        {
            throw new MailArgumentException(
                $"TRANSID '{transactionId}' is not a <local@domain> id: {error}", nameof(MailParameters.TransactionId));
        }

        return path;
    }

    private static void AppendExtra(StringBuilder line, HashSet<string> sent, IReadOnlyList<string> extra)
    {
        foreach (var parameter in extra)
        {
            WireText.EnsureSafe(parameter, nameof(MailParameters.Extra));
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var keyword = equals < 0 ? parameter : parameter[..equals];
            if (!IsEsmtpKeyword(keyword) || (equals >= 0 && !IsEsmtpValue(parameter.AsSpan(equals + 1))))
            {
                throw new MailArgumentException(
                    $"'{parameter}' is not an ESMTP parameter (KEYWORD or KEYWORD=value, no spaces or controls).",
                    nameof(MailParameters.Extra));
            }

            if (!sent.Add(keyword))
            {
                throw new MailArgumentException($"Parameter {keyword} is given twice.", nameof(MailParameters.Extra));
            }

            line.Append(' ').Append(parameter);
        }
    }

    private static void Append(StringBuilder line, HashSet<string>? sent, string keyword, string? value)
    {
        sent?.Add(keyword);
        line.Append(' ').Append(keyword);
        if (value is not null)
        {
            line.Append('=').Append(value);
        }
    }

    // RFC 5321: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    private static bool IsEsmtpKeyword(ReadOnlySpan<char> keyword)
    {
        if (keyword.IsEmpty || !char.IsAsciiLetterOrDigit(keyword[0]))
        {
            return false;
        }

        foreach (var c in keyword)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    // RFC 5321 esmtp-value = 1*(%d33-60 / %d62-126), RFC 6531 adds UTF-8.
    private static bool IsEsmtpValue(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            var ok = c < 0x80 ? c is > ' ' and < '\x7f' and not '=' : !char.IsControl(c);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static string StripBrackets(string value) =>
        value.Length >= 2 && value[0] == '<' && value[^1] == '>' ? value[1..^1] : value;
}
