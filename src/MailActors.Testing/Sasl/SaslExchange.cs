using System.Text;

namespace MailActors.Testing;

/// <summary>Outcome of <see cref="SaslExchange.RunAsync"/>.</summary>
internal enum SaslOutcome
{
    /// <summary>The client authenticated.</summary>
    Succeeded,

    /// <summary>Wrong credentials or a response the mechanism could not use.</summary>
    Failed,

    /// <summary>The client cancelled with "*".</summary>
    Aborted,

    /// <summary>A response was not valid base64 or too long.</summary>
    Malformed,

    /// <summary>The client went away mid-exchange.</summary>
    Disconnected,
}

/// <summary>
/// Runs the challenge/response loop of SASL over a line protocol. SMTP (RFC 4954) and POP3 (RFC 5034) frame it the same
/// way: the server sends a prefix ("334 " or "+ ") and base64 data, the client answers one base64 line or "*" to cancel.
/// </summary>
internal static class SaslExchange
{
    /// <summary>The longest client line accepted during an exchange (RFC 4954 requires at least 12288 octets).</summary>
    public const int MaxResponseLength = 12288;

    /// <summary>Decodes an initial response given on the command line: absent = null, "=" = empty.</summary>
    public static bool TryDecodeInitialResponse(string? text, out byte[]? initialResponse)
    {
        initialResponse = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (text == "=")
        {
            initialResponse = [];
            return true;
        }

        return TryDecode(text, out initialResponse);
    }

    public static async ValueTask<(SaslOutcome Outcome, string? User)> RunAsync(
        ProtocolChannel channel,
        SaslServerMechanism mechanism,
        byte[]? initialResponse,
        Action<string> sendChallenge,
        Action<string> logClientLine)
    {
        var step = mechanism.Start(initialResponse);
        while (step.Kind == SaslStepKind.Challenge)
        {
            sendChallenge(Convert.ToBase64String(step.Challenge));
            var read = await channel.ReadLineAsync(MaxResponseLength).ConfigureAwait(false);
            if (read.Status == LineReadStatus.EndOfStream)
            {
                return (SaslOutcome.Disconnected, null);
            }

            if (read.Status == LineReadStatus.TooLong)
            {
                return (SaslOutcome.Malformed, null);
            }

            var line = Encoding.UTF8.GetString(read.Line.Span);
            logClientLine(line);
            if (line == "*")
            {
                return (SaslOutcome.Aborted, null);
            }

            if (!TryDecode(line, out var response))
            {
                return (SaslOutcome.Malformed, null);
            }

            step = mechanism.Next(response);
        }

        return step.Kind == SaslStepKind.Success ? (SaslOutcome.Succeeded, step.User) : (SaslOutcome.Failed, null);
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
