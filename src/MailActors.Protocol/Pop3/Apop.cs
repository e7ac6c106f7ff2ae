using System.Security.Cryptography;
using System.Text;

namespace MailActors.Protocol.Pop3;

/// <summary>
/// APOP authentication (RFC 1939 §7): the client proves knowledge of the shared secret by sending
/// MD5(timestamp + secret), where the timestamp is the <c>&lt;...&gt;</c> token from the server's greeting.
/// </summary>
public static class Apop
{
    /// <summary>
    /// Finds the APOP timestamp in a greeting, brackets included, such as <c>&lt;1896.697170952@dbc.mtview.ca.us&gt;</c>.
    /// It must look like an RFC 822 msg-id: printable ASCII without blanks, containing '@'. Returns null when the greeting
    /// has none, which means the server does not offer APOP.
    /// </summary>
    /// <param name="greeting">The greeting text (with or without the leading <c>+OK</c>).</param>
    /// <returns>The timestamp with its angle brackets, or null.</returns>
    public static string? ExtractTimestamp(string greeting)
    {
        ArgumentNullException.ThrowIfNull(greeting);
        int searchFrom = 0;
        while (searchFrom < greeting.Length)
        {
            int open = greeting.IndexOf('<', searchFrom);
            if (open < 0)
            {
                return null;
            }

            int close = greeting.IndexOf('>', open + 1);
            if (close < 0)
            {
                return null;
            }

            var inner = greeting.AsSpan(open + 1, close - open - 1);
            if (IsMessageIdBody(inner))
            {
                return greeting.Substring(open, close - open + 1);
            }

            searchFrom = open + 1;
        }

        return null;
    }

    /// <summary>
    /// Makes a fresh timestamp for a server's greeting, <c>&lt;random.time@host&gt;</c>: unique per greeting, as RFC 1939
    /// requires, and found again by <see cref="ExtractTimestamp"/>.
    /// </summary>
    /// <param name="hostName">The server's host name.</param>
    /// <returns>The timestamp with its angle brackets.</returns>
    public static string CreateTimestamp(string hostName) => ServerTimestamp.Create(hostName);

    /// <summary>The APOP digest: lower-case hexadecimal MD5 of the timestamp followed by the secret, both as UTF-8.</summary>
    /// <param name="timestamp">The timestamp from <see cref="ExtractTimestamp"/>, brackets included.</param>
    /// <param name="secret">The shared secret (the password).</param>
    /// <returns>32 lower-case hexadecimal digits.</returns>
    public static string Digest(string timestamp, string secret)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(secret);
        byte[] input = Encoding.UTF8.GetBytes(timestamp + secret);
        try
        {
            // MD5 is what RFC 1939 prescribes; APOP cannot be spoken with anything else.
#pragma warning disable CA5351
            return Convert.ToHexStringLower(MD5.HashData(input));
#pragma warning restore CA5351
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>Builds the APOP command for a greeting's timestamp: <c>APOP name digest</c>, redacted in transcripts.</summary>
    /// <param name="name">The mailbox name.</param>
    /// <param name="timestamp">The timestamp from <see cref="ExtractTimestamp"/>.</param>
    /// <param name="secret">The shared secret.</param>
    /// <returns>The command.</returns>
    public static Pop3Command Command(string name, string timestamp, string secret) =>
        Pop3Command.Apop(name, Digest(timestamp, secret));

    private static bool IsMessageIdBody(ReadOnlySpan<char> inner)
    {
        if (inner.IsEmpty || inner.IndexOf('@') < 0)
        {
            return false;
        }

        foreach (char c in inner)
        {
            if (c is <= ' ' or > '~' or '<')
            {
                return false;
            }
        }

        return true;
    }
}
