namespace MailActors.Testing;

/// <summary>Minimal server-side parsing of SMTP command lines: verb and argument, and MAIL/RCPT paths with parameters.</summary>
internal static class SmtpCommandParser
{
    private static readonly string[] KnownVerbs =
    [
        "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "ETRN", "AUTH",
        "STARTTLS", "SEND", "SOML", "SAML",
    ];

    /// <summary>Splits a command line into its upper-cased verb and its argument (trimmed).</summary>
    public static (string Verb, string Argument) SplitVerb(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? line.AsSpan() : line.AsSpan(0, space);
        var argument = space < 0 ? "" : line[(space + 1)..].Trim(' ');
        return (NormalizeVerb(verb), argument);
    }

    /// <summary>
    /// Parses <c>FROM:&lt;path&gt; params</c> / <c>TO:&lt;path&gt; params</c>. A space after the colon is tolerated
    /// (as Postfix does); angle brackets are required; a '&gt;' inside a quoted local part does not end the path.
    /// </summary>
    public static PathParse ParsePath(string argument, string keyword)
    {
        if (!argument.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
        {
            return PathParse.MissingKeyword;
        }

        var rest = argument.AsSpan(keyword.Length).TrimStart(' ');
        if (rest.IsEmpty || rest[0] != '<')
        {
            return PathParse.BadAddress;
        }

        var quoted = false;
        var close = -1;
        for (var i = 1; i < rest.Length; i++)
        {
            var c = rest[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '>' && !quoted)
            {
                close = i;
                break;
            }
        }

        if (close < 0)
        {
            return PathParse.BadAddress;
        }

        var path = rest[1..close].ToString();
        var tail = rest[(close + 1)..];
        if (!tail.IsEmpty && tail[0] != ' ')
        {
            return PathParse.BadAddress;
        }

        var parameters = tail.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new PathParse(PathParseStatus.Ok, path, parameters);
    }

    /// <summary>The domain of an address (after the last '@'), or "".</summary>
    public static string DomainOf(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..];
    }

    public static bool IsAscii(string text) => System.Text.Ascii.IsValid(text);

    private static string NormalizeVerb(ReadOnlySpan<char> verb)
    {
        foreach (var known in KnownVerbs)
        {
            if (verb.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return verb.ToString().ToUpperInvariant();
    }
}

/// <summary>How a MAIL/RCPT argument parsed.</summary>
internal enum PathParseStatus
{
    /// <summary>Parsed.</summary>
    Ok,

    /// <summary>The <c>FROM:</c> / <c>TO:</c> keyword is missing.</summary>
    MissingKeyword,

    /// <summary>The path is not a bracketed address.</summary>
    BadAddress,
}

/// <summary>Result of <see cref="SmtpCommandParser.ParsePath"/>.</summary>
internal sealed record PathParse(PathParseStatus Status, string Path, IReadOnlyList<string> Parameters)
{
    public static readonly PathParse MissingKeyword = new(PathParseStatus.MissingKeyword, "", []);

    public static readonly PathParse BadAddress = new(PathParseStatus.BadAddress, "", []);
}
