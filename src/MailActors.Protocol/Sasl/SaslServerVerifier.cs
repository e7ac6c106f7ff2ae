using System.Security.Cryptography;
using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>
/// Server-side checks of client SASL responses, for in-process test servers (MailActors.Testing) so they share this
/// library's crypto instead of re-implementing it. Secrets are looked up through a delegate that returns null for an unknown
/// user; comparisons run in constant time.
/// </summary>
public static class SaslServerVerifier
{
    /// <summary>The LOGIN mechanism's first prompt (send base64-encoded).</summary>
    public static ReadOnlySpan<byte> LoginUserNamePrompt => "Username:"u8;

    /// <summary>The LOGIN mechanism's second prompt (send base64-encoded).</summary>
    public static ReadOnlySpan<byte> LoginPasswordPrompt => "Password:"u8;

    /// <summary>The JSON challenge an XOAUTH2 server sends when it rejects a token.</summary>
    public static ReadOnlySpan<byte> XOAuth2ErrorChallenge => """{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"""u8;

    /// <summary>Splits a PLAIN response into its three fields.</summary>
    /// <param name="response">The decoded client response.</param>
    /// <param name="authorizationId">The authzid (empty when absent).</param>
    /// <param name="userName">The authentication identity.</param>
    /// <param name="password">The password.</param>
    /// <returns>False when the response is not three NUL-separated UTF-8 fields with a non-empty user name.</returns>
    public static bool TryParsePlain(ReadOnlySpan<byte> response, out string authorizationId, out string userName, out string password)
    {
        authorizationId = userName = password = string.Empty;
        int first = response.IndexOf((byte)0);
        if (first < 0) return false;
        var rest = response[(first + 1)..];
        int second = rest.IndexOf((byte)0);
        if (second <= 0 || rest[(second + 1)..].Contains((byte)0)) return false;
        if (!TryDecode(response[..first], out authorizationId)
            || !TryDecode(rest[..second], out userName)
            || !TryDecode(rest[(second + 1)..], out password))
        {
            return false;
        }

        return true;
    }

    /// <summary>Checks a PLAIN response.</summary>
    /// <param name="response">The decoded client response.</param>
    /// <param name="passwordOf">Returns the user's password, or null for an unknown user.</param>
    /// <param name="userName">The authenticated user, or null on failure.</param>
    /// <returns>True when the password matches (an authzid, if any, is accepted only when equal to the user name).</returns>
    public static bool VerifyPlain(ReadOnlySpan<byte> response, Func<string, string?> passwordOf, out string? userName)
    {
        ArgumentNullException.ThrowIfNull(passwordOf);
        userName = null;
        if (!TryParsePlain(response, out var authzid, out var user, out var password)) return false;
        if (authzid.Length > 0 && !string.Equals(authzid, user, StringComparison.Ordinal)) return false;
        if (!SecretEquals(passwordOf(user), password)) return false;
        userName = user;
        return true;
    }

    /// <summary>Checks the two LOGIN answers.</summary>
    /// <param name="userNameResponse">The decoded answer to "Username:".</param>
    /// <param name="passwordResponse">The decoded answer to "Password:".</param>
    /// <param name="passwordOf">Returns the user's password, or null for an unknown user.</param>
    /// <param name="userName">The authenticated user, or null on failure.</param>
    /// <returns>True when the password matches.</returns>
    public static bool VerifyLogin(ReadOnlySpan<byte> userNameResponse, ReadOnlySpan<byte> passwordResponse, Func<string, string?> passwordOf, out string? userName)
    {
        ArgumentNullException.ThrowIfNull(passwordOf);
        userName = null;
        if (!TryDecode(userNameResponse, out var user) || user.Length == 0 || !TryDecode(passwordResponse, out var password)) return false;
        if (!SecretEquals(passwordOf(user), password)) return false;
        userName = user;
        return true;
    }

    /// <summary>Makes a fresh CRAM-MD5 challenge in the RFC 2195 form <c>&lt;random.timestamp@host&gt;</c>.</summary>
    /// <param name="hostName">The server's host name.</param>
    /// <returns>The challenge bytes (send base64-encoded), to keep for <see cref="VerifyCramMd5"/>.</returns>
    public static byte[] CreateCramMd5Challenge(string hostName)
    {
        return Encoding.ASCII.GetBytes(ServerTimestamp.Create(hostName));
    }

    /// <summary>Checks a CRAM-MD5 response against the challenge that was sent.</summary>
    /// <param name="challenge">The challenge bytes the server sent.</param>
    /// <param name="response">The decoded client response, "user digest".</param>
    /// <param name="passwordOf">Returns the user's password, or null for an unknown user.</param>
    /// <param name="userName">The authenticated user, or null on failure.</param>
    /// <returns>True when the digest matches (RFC 2195 asks for lower-case hex; upper-case hex is accepted too).</returns>
    public static bool VerifyCramMd5(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> response, Func<string, string?> passwordOf, out string? userName)
    {
        ArgumentNullException.ThrowIfNull(passwordOf);
        userName = null;
        if (!TryDecode(response, out var text)) return false;
        int space = text.LastIndexOf(' ');
        if (space <= 0) return false;
        string user = text[..space];
        string? password = passwordOf(user);
        if (password is null) return false;
        string expected = CramMd5Mechanism.ComputeResponse(user, Encoding.UTF8.GetBytes(password), challenge);
        if (!SecretEquals(expected, $"{user} {text[(space + 1)..].ToLowerInvariant()}")) return false;
        userName = user;
        return true;
    }

    /// <summary>Checks an XOAUTH2 response.</summary>
    /// <param name="response">The decoded client response.</param>
    /// <param name="accessTokenOf">Returns the user's valid access token, or null for an unknown user.</param>
    /// <param name="userName">The authenticated user, or null on failure.</param>
    /// <returns>True when the token matches; on false, send <see cref="XOAuth2ErrorChallenge"/> and then fail.</returns>
    public static bool VerifyXOAuth2(ReadOnlySpan<byte> response, Func<string, string?> accessTokenOf, out string? userName)
    {
        ArgumentNullException.ThrowIfNull(accessTokenOf);
        userName = null;
        if (!TryDecode(response, out var text) || !text.EndsWith("\u0001\u0001", StringComparison.Ordinal)) return false;
        var fields = text[..^2].Split('\u0001');
        if (fields.Length != 2 || !fields[0].StartsWith("user=", StringComparison.Ordinal)
            || !fields[1].StartsWith("auth=Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        string user = fields[0]["user=".Length..];
        if (!SecretEquals(accessTokenOf(user), fields[1]["auth=Bearer ".Length..])) return false;
        userName = user;
        return true;
    }

    /// <summary>Starts the server side of a SCRAM exchange.</summary>
    /// <param name="mechanismName">"SCRAM-SHA-256" or "SCRAM-SHA-1".</param>
    /// <param name="passwordOf">Returns the user's password, or null for an unknown user.</param>
    /// <param name="iterations">PBKDF2 iteration count to announce (RFC 7677 asks for at least 4096).</param>
    /// <returns>An exchange object for one authentication.</returns>
    /// <exception cref="NotSupportedException">For another mechanism name.</exception>
    public static ScramServerExchange CreateScram(string mechanismName, Func<string, string?> passwordOf, int iterations = 4096)
    {
        ArgumentNullException.ThrowIfNull(mechanismName);
        return new ScramServerExchange(ScramAlgorithm.ForName(mechanismName), passwordOf, iterations);
    }

    private static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static bool SecretEquals(string? expected, string actual) =>
        expected is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
