namespace MailActors.Protocol.Pop3;

/// <summary>
/// Well-known POP3 extended response codes (RFC 2449 §8, RFC 3206, RFC 6856) and the rule for finding one at the
/// start of a response text.
/// </summary>
public static class Pop3ResponseCode
{
    /// <summary><c>LOGIN-DELAY</c>: the user logged in too recently (RFC 2449).</summary>
    public const string LoginDelay = "LOGIN-DELAY";

    /// <summary><c>IN-USE</c>: the maildrop is locked by another session (RFC 2449).</summary>
    public const string InUse = "IN-USE";

    /// <summary><c>SYS/TEMP</c>: a temporary system problem; retrying later may work (RFC 3206).</summary>
    public const string SystemTemporary = "SYS/TEMP";

    /// <summary><c>SYS/PERM</c>: a permanent system problem; retrying will not help (RFC 3206).</summary>
    public const string SystemPermanent = "SYS/PERM";

    /// <summary><c>AUTH</c>: the credentials were wrong, as opposed to a system problem (RFC 3206).</summary>
    public const string Auth = "AUTH";

    /// <summary><c>UTF8</c>: the message cannot be given without UTF-8 mode (RFC 6856).</summary>
    public const string Utf8 = "UTF8";

    /// <summary>
    /// Finds a response code at the start of <paramref name="text"/>: <c>"[" level *("/" level) "]"</c> where each level is
    /// one or more printable ASCII characters other than <c>/</c> and <c>]</c> (RFC 2449 §8).
    /// </summary>
    /// <param name="status">The status of the line; continuations never carry codes.</param>
    /// <param name="text">The response text.</param>
    /// <param name="code">The code without brackets, or null.</param>
    /// <param name="messageStart">Where the human-readable text after the code (and its blanks) starts.</param>
    /// <returns>True when a well-formed code was found.</returns>
    internal static bool TryExtract(Pop3StatusKind status, string text, out string? code, out int messageStart)
    {
        code = null;
        messageStart = 0;
        if (status == Pop3StatusKind.Continuation || text.Length < 3 || text[0] != '[')
        {
            return false;
        }

        int close = text.IndexOf(']', 1);
        if (close < 2)
        {
            return false;
        }

        var inner = text.AsSpan(1, close - 1);
        if (inner[0] == '/' || inner[^1] == '/' || inner.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in inner)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        code = inner.ToString();
        messageStart = close + 1;
        while (messageStart < text.Length && text[messageStart] is ' ' or '\t')
        {
            messageStart++;
        }

        return true;
    }
}
