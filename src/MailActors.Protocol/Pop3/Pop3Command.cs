using System.Buffers;
using System.Globalization;
using System.Text;
using MailActors.Protocol.Pop3.Internal;

namespace MailActors.Protocol.Pop3;

/// <summary>
/// One POP3 command line, validated when built so that nothing unsafe can reach the wire: no argument can contain
/// CR, LF or NUL, message numbers are 1 or more, and secrets are redacted in <see cref="ToTranscript"/>.
/// Build with the static factories (<see cref="User"/>, <see cref="Retr"/>, ...).
/// </summary>
/// <param name="Verb">The command keyword in upper case (<c>RETR</c>); empty for a SASL continuation line.</param>
/// <param name="Line">The whole command line without CRLF.</param>
/// <param name="IsSensitive">Whether the line carries a secret and must be redacted in transcripts.</param>
public readonly record struct Pop3Command(string Verb, string Line, bool IsSensitive = false)
{
    private const string Redacted = "****";

    private readonly string _verb = CheckLine(Verb, nameof(Verb));
    private readonly string _line = CheckLine(Line, nameof(Line));
    private readonly string? _transcript;
    private readonly bool? _multiLine;

    private Pop3Command(string verb, string line, bool isSensitive, string? transcript, bool? multiLine)
        : this(verb, line, isSensitive)
    {
        _transcript = transcript;
        _multiLine = multiLine;
    }

    /// <summary>The command keyword in upper case; empty for a SASL continuation line.</summary>
    public string Verb
    {
        get => _verb ?? string.Empty;
        init => _verb = CheckLine(value, nameof(Verb));
    }

    /// <summary>The whole command line without CRLF.</summary>
    public string Line
    {
        get => _line ?? string.Empty;
        init => _line = CheckLine(value, nameof(Line));
    }

    /// <summary>
    /// Whether a <c>+OK</c> reply to this command is followed by a multi-line body ending in <c>.</c>:
    /// CAPA, TOP, RETR, and LIST, UIDL, LANG and AUTH without arguments.
    /// </summary>
    public bool IsMultiLine => _multiLine ?? ExpectsMultiLine(Verb, HasArguments);

    private bool HasArguments => Line.Length > Verb.Length;

    /// <summary><c>USER name</c> (RFC 1939 §7). The name may contain spaces, which some servers accept.</summary>
    /// <param name="name">The mailbox name; not empty.</param>
    public static Pop3Command User(string name) => WithText("USER", name, nameof(name));

    /// <summary><c>PASS password</c> (RFC 1939 §7), redacted as <c>PASS ****</c>. Spaces are part of the password.</summary>
    /// <param name="password">The password; not empty.</param>
    public static Pop3Command Pass(string password)
    {
        var command = WithText("PASS", password, nameof(password));
        return new Pop3Command(command.Verb, command.Line, true, "PASS " + Redacted, null);
    }

    /// <summary><c>APOP name digest</c> (RFC 1939 §7), redacted as <c>APOP name ****</c>.</summary>
    /// <param name="name">The mailbox name; a single token.</param>
    /// <param name="digestHex">The 32-digit hexadecimal MD5 digest from <see cref="Pop3.Apop.Digest"/>; sent in lower case.</param>
    public static Pop3Command Apop(string name, string digestHex)
    {
        Pop3Syntax.RequireToken(name, nameof(name));
        ArgumentNullException.ThrowIfNull(digestHex);
        Pop3Syntax.RejectLineBreaks(digestHex, nameof(digestHex));
        if (digestHex.Length != 32 || !digestHex.All(char.IsAsciiHexDigit))
        {
            throw new Pop3ArgumentException("The APOP digest must be 32 hexadecimal digits (an MD5 digest).", nameof(digestHex));
        }

        return new Pop3Command("APOP", $"APOP {name} {digestHex.ToLowerInvariant()}", true, $"APOP {name} {Redacted}", null);
    }

    /// <summary>
    /// <c>AUTH mechanism [initial-response]</c> (RFC 5034). With an initial response the line is sensitive
    /// and redacted as <c>AUTH MECH ****</c>; an empty initial response is sent as <c>=</c>.
    /// </summary>
    /// <param name="mechanism">A SASL mechanism name (RFC 4422: up to 20 of A-Z, 0-9, '-', '_'); sent in upper case.</param>
    /// <param name="initialResponseBase64">The base64 initial response, "" for an empty one, or null for none.</param>
    public static Pop3Command Auth(string mechanism, string? initialResponseBase64 = null)
    {
        string mech = CheckMechanism(mechanism);
        if (initialResponseBase64 is null)
        {
            return new Pop3Command("AUTH", $"AUTH {mech}");
        }

        CheckBase64(initialResponseBase64, nameof(initialResponseBase64));
        string response = initialResponseBase64.Length == 0 ? "=" : initialResponseBase64;
        return new Pop3Command("AUTH", $"AUTH {mech} {response}", true, $"AUTH {mech} {Redacted}", null);
    }

    /// <summary>
    /// Bare <c>AUTH</c>: the pre-RFC 5034 way of asking for the SASL mechanism list, answered by a multi-line listing.
    /// Net::POP3 falls back to it when CAPA is missing.
    /// </summary>
    public static Pop3Command AuthList() => new("AUTH", "AUTH");

    /// <summary>A base64 client response to a SASL <c>+ </c> challenge (RFC 5034); always redacted. "" sends an empty line.</summary>
    /// <param name="responseBase64">The base64 response.</param>
    public static Pop3Command AuthContinuation(string responseBase64)
    {
        CheckBase64(responseBase64, nameof(responseBase64));
        return new Pop3Command(string.Empty, responseBase64, true, Redacted, false);
    }

    /// <summary><c>*</c>: cancels a SASL exchange (RFC 5034); the server answers <c>-ERR</c>.</summary>
    public static Pop3Command AuthCancel() => new(string.Empty, "*", false, null, false);

    /// <summary><c>CAPA</c> (RFC 2449): multi-line list of capabilities.</summary>
    public static Pop3Command Capa() => new("CAPA", "CAPA");

    /// <summary><c>STLS</c> (RFC 2595): start TLS.</summary>
    public static Pop3Command Stls() => new("STLS", "STLS");

    /// <summary><c>STAT</c>: message count and maildrop size.</summary>
    public static Pop3Command Stat() => new("STAT", "STAT");

    /// <summary><c>LIST</c> (multi-line scan listing) or <c>LIST n</c> (single line).</summary>
    /// <param name="messageNumber">A message number (1 or more), or null for all messages.</param>
    public static Pop3Command List(int? messageNumber = null) => WithOptionalNumber("LIST", messageNumber);

    /// <summary><c>UIDL</c> (multi-line unique-id listing) or <c>UIDL n</c> (single line).</summary>
    /// <param name="messageNumber">A message number (1 or more), or null for all messages.</param>
    public static Pop3Command Uidl(int? messageNumber = null) => WithOptionalNumber("UIDL", messageNumber);

    /// <summary><c>TOP n lines</c>: the headers and the first <paramref name="lines"/> body lines of a message.</summary>
    /// <param name="messageNumber">The message number, 1 or more.</param>
    /// <param name="lines">How many body lines, 0 or more (0 = headers only).</param>
    public static Pop3Command Top(int messageNumber, int lines)
    {
        CheckMessageNumber(messageNumber, nameof(messageNumber));
        ArgumentOutOfRangeException.ThrowIfNegative(lines);
        return new Pop3Command("TOP", string.Create(CultureInfo.InvariantCulture, $"TOP {messageNumber} {lines}"));
    }

    /// <summary><c>RETR n</c>: the whole message, multi-line.</summary>
    /// <param name="messageNumber">The message number, 1 or more.</param>
    public static Pop3Command Retr(int messageNumber) => WithNumber("RETR", messageNumber);

    /// <summary><c>DELE n</c>: marks a message deleted (committed by QUIT).</summary>
    /// <param name="messageNumber">The message number, 1 or more.</param>
    public static Pop3Command Dele(int messageNumber) => WithNumber("DELE", messageNumber);

    /// <summary><c>RSET</c>: un-marks all deleted messages.</summary>
    public static Pop3Command Rset() => new("RSET", "RSET");

    /// <summary><c>NOOP</c>.</summary>
    public static Pop3Command Noop() => new("NOOP", "NOOP");

    /// <summary><c>LAST</c> (RFC 1460, obsolete): highest message number accessed.</summary>
    public static Pop3Command Last() => new("LAST", "LAST");

    /// <summary><c>QUIT</c>: ends the session, committing deletions when in the transaction state.</summary>
    public static Pop3Command Quit() => new("QUIT", "QUIT");

    /// <summary><c>UTF8</c> (RFC 6856): switches the session to UTF-8 mode.</summary>
    public static Pop3Command Utf8() => new("UTF8", "UTF8");

    /// <summary><c>LANG</c> without an argument (RFC 6856): the multi-line list of the languages the server offers.</summary>
    public static Pop3Command Lang() => new("LANG", "LANG");

    /// <summary><c>LANG tag</c> (RFC 6856): the server's response texts in that language; <c>*</c> selects its default.</summary>
    /// <param name="languageTag">A language range: a tag such as <c>en</c> or <c>de-CH</c> (a first subtag of 1 to 8 letters,
    /// then <c>-</c> and 1 to 8 letters or digits, as RFC 4647 says), or <c>*</c>.</param>
    public static Pop3Command Lang(string languageTag)
    {
        Pop3Syntax.RequireToken(languageTag, nameof(languageTag));
        if (languageTag != "*" && !Pop3Syntax.IsLanguageTag(languageTag))
        {
            throw new Pop3ArgumentException(
                "A language range is a tag such as en or de-CH (subtags of 1 to 8 letters or digits, the first letters only), or '*'.", nameof(languageTag));
        }

        return new Pop3Command("LANG", "LANG " + languageTag);
    }

    /// <summary>
    /// Any other command, such as <c>PING user</c> or <c>XTND XMIT</c>. Arguments are joined with single spaces; whether the
    /// reply is multi-line is inferred from the verb as for the built-in commands (use the other overload to say so).
    /// </summary>
    /// <param name="verb">The keyword: letters, digits and '-' only; sent in upper case.</param>
    /// <param name="arguments">The arguments; each non-empty and free of CR, LF and NUL.</param>
    public static Pop3Command Raw(string verb, params string[] arguments) => BuildRaw(verb, null, arguments);

    /// <summary>Any other command, stating whether a <c>+OK</c> reply is followed by a multi-line body.</summary>
    /// <param name="verb">The keyword: letters, digits and '-' only; sent in upper case.</param>
    /// <param name="multiLineReply">True when a <c>+OK</c> reply carries a multi-line body.</param>
    /// <param name="arguments">The arguments; each non-empty and free of CR, LF and NUL.</param>
    public static Pop3Command Raw(string verb, bool multiLineReply, params string[] arguments) =>
        BuildRaw(verb, multiLineReply, arguments);

    private static Pop3Command BuildRaw(string verb, bool? multiLineReply, string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(verb);
        ArgumentNullException.ThrowIfNull(arguments);
        Pop3Syntax.RejectLineBreaks(verb, nameof(verb));
        if (verb.Length == 0 || !verb.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new Pop3ArgumentException("A POP3 verb must be letters, digits and '-' only.", nameof(verb));
        }

        var line = new StringBuilder(verb.ToUpperInvariant());
        foreach (string argument in arguments)
        {
            ArgumentNullException.ThrowIfNull(argument, nameof(arguments));
            Pop3Syntax.RejectLineBreaks(argument, nameof(arguments));
            if (argument.Length == 0)
            {
                throw new Pop3ArgumentException("A POP3 argument must not be empty.", nameof(arguments));
            }

            line.Append(' ').Append(argument);
        }

        var upperVerb = verb.ToUpperInvariant();
        var text = line.ToString();
        var transcript = RawTranscript(upperVerb, text);
        return new Pop3Command(upperVerb, text, transcript is not null, transcript, multiLineReply);
    }

    // A raw PASS, APOP or AUTH carries the same secrets as the typed commands, so it is redacted the same way: what
    // follows PASS, the digest of APOP, and whatever follows AUTH's mechanism.
    private static string? RawTranscript(string verb, string line)
    {
        var rest = line.AsSpan(verb.Length).Trim();
        if (rest.IsEmpty)
        {
            return null;
        }
        var firstEnd = rest.IndexOf(' ');
        return verb switch
        {
            "PASS" => "PASS " + Redacted,
            "APOP" or "AUTH" when firstEnd > 0 => $"{verb} {rest[..firstEnd]} {Redacted}",
            "APOP" => "APOP " + Redacted,
            _ => null,
        };
    }

    /// <summary>The command as sent: the line in UTF-8 followed by CRLF.</summary>
    public byte[] ToWireBytes()
    {
        string line = Line;
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(line) + 2];
        int written = Encoding.UTF8.GetBytes(line, bytes);
        bytes[written] = (byte)'\r';
        bytes[written + 1] = (byte)'\n';
        return bytes;
    }

    /// <summary>Writes the command as sent (UTF-8 line and CRLF) to <paramref name="output"/> without an intermediate array.</summary>
    /// <param name="output">The destination.</param>
    /// <returns>The number of octets written.</returns>
    public int WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string line = Line;
        int length = Encoding.UTF8.GetByteCount(line) + 2;
        Span<byte> span = output.GetSpan(length);
        int written = Encoding.UTF8.GetBytes(line, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        output.Advance(length);
        return length;
    }

    /// <summary>The line for logs: secrets replaced by <c>****</c> (<c>PASS ****</c>, <c>AUTH PLAIN ****</c>).</summary>
    public string ToTranscript()
    {
        if (_transcript is not null)
        {
            return _transcript;
        }

        if (!IsSensitive)
        {
            return Line;
        }

        return Verb.Length == 0 ? Redacted : $"{Verb} {Redacted}";
    }

    /// <summary>The transcript form (<see cref="ToTranscript"/>), so that a command never leaks a secret through string formatting.</summary>
    public override string ToString() => ToTranscript();

    private static bool ExpectsMultiLine(string verb, bool hasArguments) => verb.ToUpperInvariant() switch
    {
        "CAPA" or "TOP" or "RETR" => true,
        "LIST" or "UIDL" or "LANG" or "AUTH" => !hasArguments,
        _ => false,
    };

    private static string CheckLine(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        Pop3Syntax.RejectLineBreaks(value, paramName);
        return value;
    }

    private static Pop3Command WithText(string verb, string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        Pop3Syntax.RejectLineBreaks(text, paramName);
        if (text.Length == 0)
        {
            throw new Pop3ArgumentException($"The {verb} argument must not be empty.", paramName);
        }

        return new Pop3Command(verb, $"{verb} {text}");
    }

    private static Pop3Command WithNumber(string verb, int messageNumber)
    {
        CheckMessageNumber(messageNumber, nameof(messageNumber));
        return new Pop3Command(verb, string.Create(CultureInfo.InvariantCulture, $"{verb} {messageNumber}"));
    }

    private static Pop3Command WithOptionalNumber(string verb, int? messageNumber) =>
        messageNumber is int number ? WithNumber(verb, number) : new Pop3Command(verb, verb);

    private static void CheckMessageNumber(int messageNumber, string paramName)
    {
        if (messageNumber < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, messageNumber, "POP3 message numbers start at 1.");
        }
    }

    private static string CheckMechanism(string mechanism)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        Pop3Syntax.RejectLineBreaks(mechanism, nameof(mechanism));
        if (mechanism.Length is 0 or > 20 || !mechanism.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new Pop3ArgumentException(
                "A SASL mechanism name is 1 to 20 of A-Z, 0-9, '-' and '_' (RFC 4422).", nameof(mechanism));
        }

        return mechanism.ToUpperInvariant();
    }

    private static void CheckBase64(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        Pop3Syntax.RejectLineBreaks(value, paramName);
        if (!value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
        {
            throw new Pop3ArgumentException("A SASL response must be base64 (A-Z, a-z, 0-9, '+', '/', '=').", paramName);
        }
    }
}
