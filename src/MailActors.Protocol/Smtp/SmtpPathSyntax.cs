using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailActors.Protocol.Smtp;

/// <summary>A hand-written recogniser for the RFC 5321 / RFC 6531 Path grammar; reports the first error found.</summary>
internal static class SmtpPathSyntax
{
    public static bool TryValidate(string path, bool allowNull, out string error)
    {
        if (path.Length < 2 || path[0] != '<' || path[^1] != '>')
        {
            error = "a path is enclosed in angle brackets.";
            return false;
        }

        return TryValidateInside(path.AsSpan(1, path.Length - 2), allowNull, out error);
    }

    /// <summary>Checks a path given without its angle brackets; empty is the null path.</summary>
    public static bool TryValidateInside(ReadOnlySpan<char> text, bool allowNull, out string error)
    {
        error = string.Empty;
        if (text.IsEmpty)
        {
            if (!allowNull)
            {
                error = "the null path <> is not allowed here.";
            }

            return allowNull;
        }

        var position = 0;
        if (text[0] == '@' && !TrySourceRoute(text, ref position, out error))
        {
            return false;
        }

        return TryMailbox(text, ref position, out error);
    }

    /// <summary>Local-part "@" (Domain / address-literal), running to the end of <paramref name="text"/>.</summary>
    public static bool TryMailbox(ReadOnlySpan<char> text, ref int position, out string error)
    {
        if (!TryLocalPart(text, ref position, out error))
        {
            return false;
        }

        if (position >= text.Length || text[position] != '@')
        {
            error = position >= text.Length
                ? "the address has no '@domain'."
                : Unexpected(text, position, "in the local part");
            return false;
        }

        position++;
        if (position < text.Length && text[position] == '[')
        {
            return TryAddressLiteral(text, ref position, out error);
        }

        if (!TryDomain(text, ref position, out error))
        {
            return false;
        }

        if (position < text.Length)
        {
            error = Unexpected(text, position, "in the domain");
            return false;
        }

        return true;
    }

    private static bool TrySourceRoute(ReadOnlySpan<char> text, ref int position, out string error)
    {
        while (true)
        {
            position++; // the '@'
            if (!TryDomain(text, ref position, out error))
            {
                return false;
            }

            if (position < text.Length && text[position] == ',' && position + 1 < text.Length && text[position + 1] == '@')
            {
                position++;
                continue;
            }

            if (position < text.Length && text[position] == ':')
            {
                position++;
                return true;
            }

            error = position < text.Length
                ? Unexpected(text, position, "in the source route")
                : "the source route does not end with ':'.";
            return false;
        }
    }

    private static bool TryLocalPart(ReadOnlySpan<char> text, ref int position, out string error)
    {
        error = string.Empty;
        if (position < text.Length && text[position] == '"')
        {
            return TryQuotedString(text, ref position, out error);
        }

        var atomStart = position;
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '.')
            {
                if (position == atomStart)
                {
                    error = $"empty atom in the local part at position {position + 1} (leading, trailing or doubled dot).";
                    return false;
                }

                atomStart = ++position;
            }
            else if (IsAtext(c))
            {
                position++;
            }
            else if (!TrySkipNonAscii(text, ref position))
            {
                break;
            }
        }

        if (position == atomStart)
        {
            error = position < text.Length && text[position] != '@'
                ? Unexpected(text, position, "in the local part")
                : position == 0 ? "the local part is empty." : "the local part ends with a dot.";
            return false;
        }

        return true;
    }

    private static bool TryQuotedString(ReadOnlySpan<char> text, ref int position, out string error)
    {
        position++; // opening quote
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '"')
            {
                position++;
                error = string.Empty;
                return true;
            }

            if (c == '\\')
            {
                position++;
                if (position >= text.Length)
                {
                    break;
                }

                c = text[position];
            }

            if (c is >= ' ' and <= '~')
            {
                position++;
            }
            else if (!TrySkipNonAscii(text, ref position))
            {
                error = Unexpected(text, position, "in the quoted local part");
                return false;
            }
        }

        error = "the quoted local part is not closed.";
        return false;
    }

    private static bool TryDomain(ReadOnlySpan<char> text, ref int position, out string error)
    {
        while (true)
        {
            var labelStart = position;
            var lastWasHyphen = false;
            while (position < text.Length)
            {
                var c = text[position];
                if (char.IsAsciiLetterOrDigit(c))
                {
                    position++;
                    lastWasHyphen = false;
                }
                else if (c == '-' && position > labelStart)
                {
                    position++;
                    lastWasHyphen = true;
                }
                else if (TrySkipNonAscii(text, ref position))
                {
                    lastWasHyphen = false;
                }
                else
                {
                    break;
                }
            }

            if (position == labelStart)
            {
                error = position < text.Length
                    ? Unexpected(text, position, "in the domain")
                    : "the domain is empty or ends with a dot.";
                return false;
            }

            if (lastWasHyphen)
            {
                error = $"a domain label ends with '-' at position {position}.";
                return false;
            }

            if (position < text.Length && text[position] == '.')
            {
                position++;
                continue;
            }

            error = string.Empty;
            return true;
        }
    }

    private static bool TryAddressLiteral(ReadOnlySpan<char> text, ref int position, out string error)
    {
        var close = text[position..].IndexOf(']');
        if (close < 0 || position + close != text.Length - 1)
        {
            error = close < 0 ? "the address literal is not closed with ']'." : "text follows the address literal.";
            return false;
        }

        var literal = text.Slice(position + 1, close - 1);
        position = text.Length;
        error = string.Empty;
        if (literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            var address = literal[5..];
            if (address.Contains(':') && !address.ContainsAny('%', '[', '/')
                && IPAddress.TryParse(address, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return true;
            }

            error = $"'[{literal}]' is not a valid IPv6 address literal.";
            return false;
        }

        if (IsDottedQuad(literal))
        {
            return true;
        }

        error = $"'[{literal}]' is not an IPv4 address literal or an IPv6: address literal.";
        return false;
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> literal)
    {
        var parts = 0;
        foreach (var range in literal.Split('.'))
        {
            var part = literal[range];
            if (++parts > 4 || part.Length is 0 or > 3 || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    // RFC 5322 atext: letters, digits and these specials.
    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal);

    // RFC 6531 lets UTF-8 stand wherever atext, qtext or a domain letter may; lone surrogates cannot be encoded.
    private static bool TrySkipNonAscii(ReadOnlySpan<char> text, ref int position)
    {
        var c = text[position];
        if (c < 0x80 || char.IsLowSurrogate(c))
        {
            return false;
        }

        if (char.IsHighSurrogate(c))
        {
            if (position + 1 >= text.Length || !char.IsLowSurrogate(text[position + 1]))
            {
                return false;
            }

            position += 2;
            return true;
        }

        if (char.IsControl(c))
        {
            return false;
        }

        position++;
        return true;
    }

    private static string Unexpected(ReadOnlySpan<char> text, int position, string where) =>
        $"unexpected {Describe(text[position])} {where} at position {position + 1}.";

    private static string Describe(char c) =>
        c is >= ' ' and < '\x7f' ? $"'{c}'" : $"U+{(int)c:X4}";
}
