using System.Text;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// RFC 3461 xtext, the encoding of ENVID, ORCPT and AUTH= values: printable ASCII other than <c>+</c> and <c>=</c>
/// stands for itself, every other octet is <c>+XX</c> (two upper-case hex digits). Text is taken as UTF-8 octets.
/// </summary>
public static class XText
{
    /// <summary>Encodes <paramref name="value"/> as xtext.</summary>
    /// <param name="value">Any text; non-ASCII characters are encoded octet by octet from UTF-8.</param>
    /// <returns>The xtext form, printable ASCII only.</returns>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!NeedsEncoding(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        foreach (var octet in Encoding.UTF8.GetBytes(value))
        {
            if (IsPlain(octet))
            {
                builder.Append((char)octet);
            }
            else
            {
                builder.Append('+').Append(HexDigit(octet >> 4)).Append(HexDigit(octet & 0xF));
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes xtext. Hex digits may be in either case; non-ASCII characters pass through.</summary>
    /// <param name="value">The xtext.</param>
    /// <returns>
    /// The decoded text (octets read as UTF-8; octets that are not UTF-8 become U+FFFD, so encoding the result again does
    /// not always give <paramref name="value"/> back: pass an encoded value on as it is instead, e.g. as
    /// <see cref="MailParameters.EnvelopeIdRaw"/>).
    /// </returns>
    /// <exception cref="MailArgumentException">A <c>+</c> is not followed by two hex digits, or the text holds a space, <c>=</c> or a control character.</exception>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (TryDecode(value, out var decoded, out var error))
        {
            return decoded;
        }

        throw new MailArgumentException(error, nameof(value));
    }

    /// <summary>Decodes xtext without throwing.</summary>
    /// <param name="value">The xtext.</param>
    /// <param name="decoded">The decoded text, or "" on failure.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is valid xtext.</returns>
    public static bool TryDecode(string value, out string decoded) => TryDecode(value, out decoded, out _);

    private static bool TryDecode(string value, out string decoded, out string error)
    {
        ArgumentNullException.ThrowIfNull(value);
        decoded = string.Empty;
        error = string.Empty;
        var octets = new List<byte>(value.Length);
        Span<byte> scratch = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    error = $"xtext '+' at position {i} is not followed by two hex digits.";
                    return false;
                }

                octets.Add((byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2])));
                i += 2;
            }
            else if (c < 0x80)
            {
                if (!IsPlain((byte)c))
                {
                    error = $"xtext may not contain U+{(int)c:X4} (position {i}) unencoded.";
                    return false;
                }

                octets.Add((byte)c);
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
                var written = Encoding.UTF8.GetBytes(value.AsSpan(i, length), scratch);
                for (var k = 0; k < written; k++)
                {
                    octets.Add(scratch[k]);
                }

                i += length - 1;
            }
        }

        decoded = Encoding.UTF8.GetString([.. octets]);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="value"/> is xtext as RFC 3461 has it: one or more printable ASCII characters other than
    /// <c>=</c>, each <c>+</c> followed by two hex digits (either case, as <see cref="Decode"/> reads them).
    /// </summary>
    internal static bool IsEncoded(string value, out string error)
    {
        error = value.Length == 0 ? "it is empty." : string.Empty;
        for (var i = 0; i < value.Length && error.Length == 0; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    error = $"'+' at position {i} is not followed by two hex digits.";
                }

                i += 2;
            }
            else if (c >= 0x80 || !IsPlain((byte)c))
            {
                error = $"U+{(int)c:X4} at position {i} must be written as +XX.";
            }
        }

        return error.Length == 0;
    }

    private static bool NeedsEncoding(string value)
    {
        foreach (var c in value)
        {
            if (c >= 0x80 || !IsPlain((byte)c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPlain(int octet) => octet is >= 0x21 and <= 0x7E and not '+' and not '=';

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
