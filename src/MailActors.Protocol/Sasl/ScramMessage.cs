using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>Parsing and escaping helpers for SCRAM messages (comma-separated <c>x=value</c> attributes, RFC 5802 section 5.1).</summary>
internal static class ScramMessage
{
    /// <summary>Splits a message into its attributes, keyed by the attribute letter; the order is kept.</summary>
    public static List<KeyValuePair<char, string>> Parse(string message)
    {
        var attributes = new List<KeyValuePair<char, string>>();
        foreach (var part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !char.IsAsciiLetter(part[0]))
            {
                throw new SaslException($"Malformed SCRAM attribute '{Truncate(part)}'.");
            }

            attributes.Add(new(part[0], part[2..]));
        }

        return attributes;
    }

    public static string DecodeUtf8(ReadOnlySpan<byte> message)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(message);
        }
        catch (DecoderFallbackException e)
        {
            throw new SaslException("SCRAM message is not valid UTF-8.", e);
        }
    }

    /// <summary>RFC 5802 saslname: ',' and '=' are written as "=2C" and "=3D".</summary>
    public static string EscapeName(string name) => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    public static string UnescapeName(string escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != '=')
            {
                builder.Append(escaped[i]);
                continue;
            }

            var code = escaped.AsSpan(i)[..Math.Min(3, escaped.Length - i)];
            if (code.SequenceEqual("=2C"))
            {
                builder.Append(',');
            }
            else if (code.SequenceEqual("=3D"))
            {
                builder.Append('=');
            }
            else
            {
                throw new SaslException("Malformed SCRAM saslname escape.");
            }

            i += 2;
        }

        return builder.ToString();
    }

    public static byte[] DecodeBase64(string value, string what)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException e)
        {
            throw new SaslException($"SCRAM {what} is not valid base64.", e);
        }
    }

    public static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
