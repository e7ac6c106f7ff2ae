using System.Buffers;
using System.Globalization;
using System.Text;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// One SMTP command line ready for the wire, without its CRLF. Every factory validates its arguments first (CR, LF and
/// NUL are always refused; paths, domains and parameters are checked against their grammar), so a command that exists
/// can be written safely. <see cref="IsSensitive"/> commands carry credentials and must be redacted in transcripts.
/// </summary>
/// <param name="Verb">The upper-case command verb (<c>MAIL</c>, <c>RCPT</c>, <c>AUTH</c>...). AUTH continuation lines
/// carry <c>AUTH</c> although the line holds only the response.</param>
/// <param name="Line">The full line without CRLF.</param>
/// <param name="IsSensitive">Whether the line's arguments must not appear in logs.</param>
public readonly record struct SmtpCommand(string Verb, string Line, bool IsSensitive = false)
{
    private const string Redacted = "****";

    private static readonly SearchValues<char> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>The upper-case command verb.</summary>
    /// <exception cref="MailArgumentException">On construction: the verb is empty or holds spaces, controls or non-ASCII.</exception>
    public string Verb { get; } = ValidateVerb(Verb, nameof(Verb));

    /// <summary>The full command line without CRLF.</summary>
    /// <exception cref="MailArgumentException">On construction: the line contains CR, LF or NUL, or is empty
    /// (only a sensitive line, an empty SASL response, may be empty).</exception>
    public string Line { get; } = ValidateLine(Line, IsSensitive);

    /// <summary>Whether the arguments carry credentials and must be redacted in transcripts.</summary>
    public bool IsSensitive { get; } = IsSensitive;

    /// <summary><c>EHLO domain</c>.</summary>
    /// <param name="domain">The client's domain or address literal: non-empty, no spaces or controls.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The domain is empty or holds spaces, controls, CR, LF or NUL.</exception>
    public static SmtpCommand Ehlo(string domain) => new("EHLO", "EHLO " + ValidateToken(domain, nameof(domain)));

    /// <summary>
    /// Checks that <paramref name="domain"/> can be sent with EHLO or HELO, so that a bad setting is refused where it is
    /// given rather than when a session greets.
    /// </summary>
    /// <param name="domain">The client's domain or address literal.</param>
    /// <param name="paramName">The setting's name for the error.</param>
    /// <returns><paramref name="domain"/>.</returns>
    /// <exception cref="MailArgumentException">The domain is empty or holds spaces, controls, CR, LF or NUL.</exception>
    public static string ValidateHelloDomain(string domain, string paramName) => ValidateToken(domain, paramName);

    /// <summary><c>HELO domain</c>.</summary>
    /// <param name="domain">The client's domain or address literal: non-empty, no spaces or controls.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The domain is empty or holds spaces, controls, CR, LF or NUL.</exception>
    public static SmtpCommand Helo(string domain) => new("HELO", "HELO " + ValidateToken(domain, nameof(domain)));

    /// <summary><c>MAIL FROM:&lt;path&gt; [parameters]</c>, parameters in the order documented on <see cref="MailParameters"/>.</summary>
    /// <param name="path">The reverse-path including angle brackets, <c>&lt;&gt;</c> allowed (see <see cref="SmtpPath.ToPath"/>).</param>
    /// <param name="parameters">ESMTP parameters, or <see langword="null"/> for none.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The path or a parameter is invalid.</exception>
    public static SmtpCommand MailFrom(string path, MailParameters? parameters = null)
    {
        SmtpPath.Validate(path, allowNull: true);
        if (parameters is null)
        {
            return new SmtpCommand("MAIL", "MAIL FROM:" + path);
        }

        var line = LineBuilderCache.Acquire("MAIL FROM:").Append(path);
        EsmtpParameters.AppendMail(line, parameters);
        return new SmtpCommand("MAIL", LineBuilderCache.ToStringAndRelease(line));
    }

    /// <summary><c>RCPT TO:&lt;path&gt; [NOTIFY=...] [ORCPT=...]</c>.</summary>
    /// <param name="path">The forward-path including angle brackets; <c>&lt;&gt;</c> is refused, <c>&lt;Postmaster&gt;</c> (no domain) is allowed.</param>
    /// <param name="parameters">DSN parameters, or <see langword="null"/> for none.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The path is invalid, NOTIFY combines NEVER with other values, or ORCPT is invalid.</exception>
    public static SmtpCommand RcptTo(string path, RecipientParameters? parameters = null)
    {
        WireText.EnsureSafe(path, nameof(path));
        if (!string.Equals(path, SmtpPath.Postmaster, StringComparison.OrdinalIgnoreCase))
        {
            SmtpPath.Validate(path, allowNull: false);
        }

        if (parameters is null)
        {
            return new SmtpCommand("RCPT", "RCPT TO:" + path);
        }

        var line = LineBuilderCache.Acquire("RCPT TO:").Append(path);
        EsmtpParameters.AppendRecipient(line, parameters);
        return new SmtpCommand("RCPT", LineBuilderCache.ToStringAndRelease(line));
    }

    /// <summary><c>DATA</c>.</summary>
    /// <returns>The command.</returns>
    public static SmtpCommand Data() => new("DATA", "DATA");

    /// <summary><c>RSET</c>.</summary>
    /// <returns>The command.</returns>
    public static SmtpCommand Rset() => new("RSET", "RSET");

    /// <summary><c>QUIT</c>.</summary>
    /// <returns>The command.</returns>
    public static SmtpCommand Quit() => new("QUIT", "QUIT");

    /// <summary><c>STARTTLS</c>.</summary>
    /// <returns>The command.</returns>
    public static SmtpCommand StartTls() => new("STARTTLS", "STARTTLS");

    /// <summary><c>NOOP [argument]</c>.</summary>
    /// <param name="argument">An optional string the server ignores; <see langword="null"/> or "" sends none.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The argument contains CR, LF or NUL.</exception>
    public static SmtpCommand Noop(string? argument = null) => WithOptionalArgument("NOOP", argument, nameof(argument));

    /// <summary><c>BDAT size [LAST]</c> (RFC 3030). The chunk itself is framed by the DATA/BDAT encoders.</summary>
    /// <param name="size">The chunk size in bytes, at least 0.</param>
    /// <param name="last">Whether this is the last chunk.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The size is negative.</exception>
    public static SmtpCommand Bdat(long size, bool last)
    {
        if (size < 0)
        {
            throw new MailArgumentException($"BDAT chunk size must not be negative; got {size}.", nameof(size));
        }

        var count = size.ToString(CultureInfo.InvariantCulture);
        return new SmtpCommand("BDAT", last ? $"BDAT {count} LAST" : $"BDAT {count}");
    }

    /// <summary><c>VRFY what</c>.</summary>
    /// <param name="what">A user name or mailbox, sent as given; non-empty.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The argument is empty or contains CR, LF or NUL.</exception>
    public static SmtpCommand Vrfy(string what) => new("VRFY", "VRFY " + ValidateText(what, nameof(what)));

    /// <summary><c>EXPN what</c>.</summary>
    /// <param name="what">A mailing list name, sent as given; non-empty.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The argument is empty or contains CR, LF or NUL.</exception>
    public static SmtpCommand Expn(string what) => new("EXPN", "EXPN " + ValidateText(what, nameof(what)));

    /// <summary><c>HELP [topic]</c>.</summary>
    /// <param name="topic">An optional topic; <see langword="null"/> or "" sends none.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The topic contains CR, LF or NUL.</exception>
    public static SmtpCommand Help(string? topic = null) => WithOptionalArgument("HELP", topic, nameof(topic));

    /// <summary><c>ETRN domain</c> (RFC 1985).</summary>
    /// <param name="domain">The domain, <c>@domain</c> or <c>#queue</c>: non-empty, no spaces or controls.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The domain is empty or holds spaces, controls, CR, LF or NUL.</exception>
    public static SmtpCommand Etrn(string domain) => new("ETRN", "ETRN " + ValidateToken(domain, nameof(domain)));

    /// <summary><c>SEND FROM:&lt;path&gt;</c> (RFC 821, deliver to terminal).</summary>
    /// <param name="path">The reverse-path including angle brackets.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The path is invalid.</exception>
    public static SmtpCommand Send(string path) => FromCommand("SEND", path);

    /// <summary><c>SOML FROM:&lt;path&gt;</c> (RFC 821, send or mail).</summary>
    /// <param name="path">The reverse-path including angle brackets.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The path is invalid.</exception>
    public static SmtpCommand SendOrMail(string path) => FromCommand("SOML", path);

    /// <summary><c>SAML FROM:&lt;path&gt;</c> (RFC 821, send and mail).</summary>
    /// <param name="path">The reverse-path including angle brackets.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The path is invalid.</exception>
    public static SmtpCommand SendAndMail(string path) => FromCommand("SAML", path);

    /// <summary><c>AUTH mechanism [initial-response]</c> (RFC 4954). Sensitive when an initial response is present.</summary>
    /// <param name="mechanism">The SASL mechanism name (RFC 4422: up to 20 letters, digits, '-' or '_'); sent upper-cased.</param>
    /// <param name="initialResponseBase64">The base64 initial response, <c>=</c> for an empty one, or <see langword="null"/> for none.</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The mechanism name or the response is malformed.</exception>
    public static SmtpCommand Auth(string mechanism, string? initialResponseBase64 = null)
    {
        var name = ValidateMechanism(mechanism);
        if (initialResponseBase64 is null)
        {
            return new SmtpCommand("AUTH", "AUTH " + name);
        }

        if (initialResponseBase64.Length == 0)
        {
            throw new MailArgumentException(
                "An empty initial response is sent as \"=\" (RFC 4954).", nameof(initialResponseBase64));
        }

        ValidateBase64(initialResponseBase64, nameof(initialResponseBase64));
        return new SmtpCommand("AUTH", $"AUTH {name} {initialResponseBase64}", IsSensitive: true);
    }

    /// <summary>A line answering a 334 challenge: base64 data, "" for an empty response, or <c>*</c> to cancel. Always sensitive.</summary>
    /// <param name="base64">The base64 response.</param>
    /// <returns>The command, with verb <c>AUTH</c>.</returns>
    /// <exception cref="MailArgumentException">The response holds characters outside base64.</exception>
    public static SmtpCommand AuthContinuation(string base64)
    {
        WireText.EnsureSafe(base64, nameof(base64));
        if (base64 != "*")
        {
            ValidateBase64(base64, nameof(base64));
        }

        return new SmtpCommand("AUTH", base64, IsSensitive: true);
    }

    /// <summary>
    /// Any command, as Net::SMTP's <c>command()</c>: the verb and arguments joined by single spaces, each validated.
    /// An <c>AUTH</c> command with more than a mechanism is marked sensitive, however its arguments are split.
    /// </summary>
    /// <param name="verb">The verb: non-empty ASCII, no spaces or controls; sent upper-cased.</param>
    /// <param name="args">Arguments: each non-empty and free of CR, LF and NUL (an argument may hold spaces).</param>
    /// <returns>The command.</returns>
    /// <exception cref="MailArgumentException">The verb or an argument is refused.</exception>
    public static SmtpCommand Raw(string verb, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var upperVerb = ValidateVerb(verb, nameof(verb)).ToUpperInvariant();
        var line = new StringBuilder(upperVerb);
        foreach (var arg in args)
        {
            line.Append(' ').Append(ValidateText(arg, nameof(args)));
        }

        // One argument may hold "PLAIN <response>" itself, so what counts is whether anything follows the mechanism.
        var text = line.ToString();
        var sensitive = upperVerb == "AUTH" && text.AsSpan(upperVerb.Length).Trim().Contains(' ');
        return new SmtpCommand(upperVerb, text, IsSensitive: sensitive);
    }

    /// <summary>The number of bytes <see cref="ToWireBytes"/> produces: the UTF-8 line plus CRLF.</summary>
    /// <returns>The byte count.</returns>
    public int GetWireByteCount() => Encoding.UTF8.GetByteCount(RequireLine()) + 2;

    /// <summary>The line encoded as UTF-8, followed by CRLF.</summary>
    /// <returns>The bytes to send.</returns>
    public byte[] ToWireBytes()
    {
        var bytes = new byte[GetWireByteCount()];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Writes the UTF-8 line and CRLF into <paramref name="destination"/>, which must hold <see cref="GetWireByteCount"/> bytes.</summary>
    /// <param name="destination">Where to write.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public int WriteTo(Span<byte> destination)
    {
        var written = Encoding.UTF8.GetBytes(RequireLine(), destination);
        if (destination.Length < written + 2)
        {
            throw new ArgumentException("Destination is too small for the command and its CRLF.", nameof(destination));
        }

        destination[written] = (byte)'\r';
        destination[written + 1] = (byte)'\n';
        return written + 2;
    }

    /// <summary>Writes the UTF-8 line and CRLF into a buffer writer (such as a <c>PipeWriter</c>) without an intermediate array.</summary>
    /// <param name="writer">Where to write.</param>
    /// <returns>The number of bytes written.</returns>
    public int WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var count = GetWireByteCount();
        var written = WriteTo(writer.GetSpan(count));
        writer.Advance(written);
        return written;
    }

    /// <summary>
    /// The line as it may appear in a transcript: <see cref="Line"/> itself, or for sensitive commands the verb and
    /// mechanism followed by <c>****</c> (<c>AUTH PLAIN ****</c>), or just <c>****</c> for a continuation line.
    /// </summary>
    /// <returns>The loggable line.</returns>
    public string ToTranscript()
    {
        var line = RequireLine();
        if (!IsSensitive)
        {
            return line;
        }

        var prefix = Verb + " ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return Redacted;
        }

        var firstArgumentEnd = line.IndexOf(' ', prefix.Length);
        return firstArgumentEnd < 0 ? line : line[..firstArgumentEnd] + " " + Redacted;
    }

    /// <summary>The transcript form (<see cref="ToTranscript"/>), so credentials never leak through string formatting.</summary>
    /// <returns>The loggable line.</returns>
    public override string ToString() => Line is null ? string.Empty : ToTranscript();

    private static SmtpCommand FromCommand(string verb, string path)
    {
        SmtpPath.Validate(path, allowNull: true);
        return new SmtpCommand(verb, $"{verb} FROM:{path}");
    }

    private static SmtpCommand WithOptionalArgument(string verb, string? argument, string paramName)
    {
        if (string.IsNullOrEmpty(argument))
        {
            return new SmtpCommand(verb, verb);
        }

        WireText.EnsureSafe(argument, paramName);
        return new SmtpCommand(verb, $"{verb} {argument}");
    }

    private static string ValidateVerb(string verb, string paramName)
    {
        WireText.EnsureSafe(verb, paramName);
        if (verb.Length == 0)
        {
            throw new MailArgumentException("A command verb must not be empty.", paramName);
        }

        foreach (var c in verb)
        {
            if (c is <= ' ' or >= '\x7f')
            {
                throw new MailArgumentException(
                    $"A command verb is printable ASCII without spaces; '{verb}' is not.", paramName);
            }
        }

        return verb;
    }

    private static string ValidateLine(string line, bool isSensitive)
    {
        WireText.EnsureSafe(line, nameof(Line));
        if (line.Length == 0 && !isSensitive)
        {
            throw new MailArgumentException("A command line must not be empty.", nameof(Line));
        }

        return line;
    }

    private static string ValidateToken(string value, string paramName)
    {
        WireText.EnsureSafe(value, paramName);
        if (value.Length == 0)
        {
            throw new MailArgumentException($"'{paramName}' must not be empty.", paramName);
        }

        foreach (var c in value)
        {
            if (c <= ' ' || c == '\x7f' || char.IsControl(c) || char.IsWhiteSpace(c))
            {
                throw new MailArgumentException(
                    $"'{paramName}' must not contain spaces or control characters; got '{value}'.", paramName);
            }
        }

        return value;
    }

    private static string ValidateText(string value, string paramName)
    {
        WireText.EnsureSafe(value, paramName);
        if (value.Trim().Length == 0)
        {
            throw new MailArgumentException($"'{paramName}' must not be empty or blank.", paramName);
        }

        return value;
    }

    private static string ValidateMechanism(string mechanism)
    {
        WireText.EnsureSafe(mechanism, nameof(mechanism));
        var valid = mechanism.Length is > 0 and <= 20;
        foreach (var c in mechanism)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
        }

        if (!valid)
        {
            throw new MailArgumentException(
                $"A SASL mechanism name is 1 to 20 letters, digits, '-' or '_'; got '{mechanism}'.", nameof(mechanism));
        }

        return mechanism.ToUpperInvariant();
    }

    private static void ValidateBase64(string value, string paramName)
    {
        WireText.EnsureSafe(value, paramName);
        if (value.AsSpan().ContainsAnyExcept(Base64Chars))
        {
            // The value is a credential: say what is wrong without echoing it.
            throw new MailArgumentException("The SASL response contains characters outside base64.", paramName);
        }
    }

    private string RequireLine() =>
        Line ?? throw new InvalidOperationException("This SmtpCommand is default-initialised; build commands with the factory methods.");
}
