using System.Security.Cryptography;
using System.Text;

namespace MailActors.Protocol.Integrity;

/// <summary>
/// The integrity header a load generator puts in every message so that whoever receives it — an SMTP sink, or a POP3
/// reader after the message went through a real MTA — can tell the body arrived intact (the idea of Postal's
/// <c>X-PostalHash</c>, with SHA-256). The header is <c>X-MailActors-Digest: sha256=BASE64</c>; the digest covers the
/// body octets after the blank line that ends the header section, exactly as they travel (CRLF line ends). Headers an
/// MTA adds on the way do not disturb it.
/// </summary>
public static class ContentDigest
{
    /// <summary>The header field name.</summary>
    public const string HeaderName = "X-MailActors-Digest";

    private const string Algorithm = "sha256=";

    /// <summary>The header value for <paramref name="body"/>: <c>sha256=</c> and the base64 SHA-256 of the octets.</summary>
    public static string Compute(ReadOnlySpan<byte> body) => Algorithm + Convert.ToBase64String(SHA256.HashData(body));

    /// <summary>The whole header line for <paramref name="body"/>, with CRLF.</summary>
    public static string HeaderLine(ReadOnlySpan<byte> body) => $"{HeaderName}: {Compute(body)}\r\n";

    /// <summary>Checks a whole message (header section, blank line, body) against its digest header.</summary>
    /// <param name="message">The message octets; CRLF or bare LF line ends in the header section.</param>
    public static ContentDigestStatus Verify(ReadOnlySpan<byte> message)
    {
        var split = FindBodyStart(message, out var headerEnd);
        var headers = message[..headerEnd];
        var value = FindHeaderValue(headers);
        if (value is null)
        {
            return ContentDigestStatus.Missing;
        }
        if (!value.StartsWith(Algorithm, StringComparison.OrdinalIgnoreCase))
        {
            return ContentDigestStatus.Unsupported;
        }
        var body = split < 0 ? [] : message[split..];
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, actual);
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes + 3];
        return Convert.TryFromBase64String(value[Algorithm.Length..], expected, out var written)
            && written == SHA256.HashSizeInBytes
            && expected[..written].SequenceEqual(actual)
            ? ContentDigestStatus.Valid
            : ContentDigestStatus.Mismatch;
    }

    /// <summary>Index of the first body octet, or -1 when the message has no blank line; <paramref name="headerEnd"/> is where headers stop.</summary>
    private static int FindBodyStart(ReadOnlySpan<byte> message, out int headerEnd)
    {
        var crlf = message.IndexOf("\r\n\r\n"u8);
        var lf = message.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf))
        {
            headerEnd = crlf + 2;
            return crlf + 4;
        }
        if (lf >= 0)
        {
            headerEnd = lf + 1;
            return lf + 2;
        }
        headerEnd = message.Length;
        return -1;
    }

    /// <summary>The unfolded value of the first digest header, trimmed, or null.</summary>
    private static string? FindHeaderValue(ReadOnlySpan<byte> headers)
    {
        var name = HeaderNameBytes;
        var position = 0;
        while (position < headers.Length)
        {
            var line = headers[position..];
            var atLineStart = position == 0 || headers[position - 1] == (byte)'\n';
            var next = line.IndexOf((byte)'\n');
            var length = next < 0 ? line.Length : next + 1;
            if (atLineStart && line.Length > name.Length && line[name.Length] == (byte)':'
                && Ascii.EqualsIgnoreCase(line[..name.Length], name))
            {
                var value = new StringBuilder(Encoding.ASCII.GetString(TrimLineEnd(line[(name.Length + 1)..length])));
                // Folded continuation lines start with a space or a tab.
                var continuation = position + length;
                while (continuation < headers.Length && headers[continuation] is (byte)' ' or (byte)'\t')
                {
                    var rest = headers[continuation..];
                    var end = rest.IndexOf((byte)'\n');
                    var taken = end < 0 ? rest.Length : end + 1;
                    value.Append(Encoding.ASCII.GetString(TrimLineEnd(rest[..taken])));
                    continuation += taken;
                }
                return value.ToString().Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal);
            }
            position += length;
        }
        return null;
    }

    private static ReadOnlySpan<byte> TrimLineEnd(ReadOnlySpan<byte> line)
    {
        while (line.Length > 0 && line[^1] is (byte)'\n' or (byte)'\r')
        {
            line = line[..^1];
        }
        return line;
    }

    private static ReadOnlySpan<byte> HeaderNameBytes => "X-MailActors-Digest"u8;
}

/// <summary>Outcome of <see cref="ContentDigest.Verify"/>.</summary>
public enum ContentDigestStatus
{
    /// <summary>The body matches the digest.</summary>
    Valid,

    /// <summary>The message has no digest header.</summary>
    Missing,

    /// <summary>The body does not match the digest: the content changed on the way.</summary>
    Mismatch,

    /// <summary>The header names an algorithm other than SHA-256.</summary>
    Unsupported,
}
