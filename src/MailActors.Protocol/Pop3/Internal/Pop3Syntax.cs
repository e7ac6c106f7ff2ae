using System.Text;

namespace MailActors.Protocol.Pop3.Internal;

/// <summary>Character classes, number scanning and argument checks shared by the POP3 codecs.</summary>
internal static class Pop3Syntax
{
    /// <summary>How much of a server line an exception message quotes; enough to recognise it, not enough to flood a log.</summary>
    private const int QuoteLimit = 120;

    internal static bool IsBlank(char c) => c is ' ' or '\t';

    internal static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';

    internal static bool IsLineBreakOrNul(char c) => c is '\r' or '\n' or '\0';

    /// <summary>
    /// A language tag as RFC 6856 uses them (the RFC 4647 basic range without <c>*</c>): a first subtag of 1 to 8 ASCII
    /// letters, then any number of <c>-</c> and 1 to 8 ASCII letters or digits, such as <c>en</c>, <c>de-CH</c> or <c>i-default</c>.
    /// </summary>
    internal static bool IsLanguageTag(string value)
    {
        string[] subtags = value.Split('-');
        if (subtags[0].Length is < 1 or > 8 || !subtags[0].All(char.IsAsciiLetter))
        {
            return false;
        }

        return subtags.Skip(1).All(subtag => subtag.Length is >= 1 and <= 8 && subtag.All(char.IsAsciiLetterOrDigit));
    }

    /// <summary>Rejects values that could end the command line early or smuggle a second command onto the wire.</summary>
    internal static void RejectLineBreaks(string value, string paramName)
    {
        int bad = value.AsSpan().IndexOfAny('\r', '\n', '\0');
        if (bad >= 0)
        {
            throw new Pop3ArgumentException(
                $"The POP3 argument contains {Describe(value[bad])} at position {bad}; CR, LF and NUL are never allowed.", paramName);
        }
    }

    /// <summary>A single POP3 token: non-empty, no whitespace and no control characters.</summary>
    internal static void RequireToken(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        RejectLineBreaks(value, paramName);
        if (value.Length == 0)
        {
            throw new Pop3ArgumentException("The POP3 argument must not be empty.", paramName);
        }

        foreach (char c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new Pop3ArgumentException(
                    $"The POP3 argument contains {Describe(c)}; this argument must be a single token without spaces or control characters.", paramName);
            }
        }
    }

    /// <summary>Splits at runs of spaces and tabs, dropping empty pieces.</summary>
    internal static string[] SplitBlanks(string text) =>
        text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Parses an unsigned decimal number made only of ASCII digits; false on anything else or on overflow.</summary>
    internal static bool TryParseUnsigned(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!IsAsciiDigit(c))
            {
                return false;
            }

            int digit = c - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    /// <summary>Quotes server text for an exception message: shortened, control characters made visible.</summary>
    internal static string Quote(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, QuoteLimit) + 8);
        builder.Append('"');
        for (int i = 0; i < text.Length && i < QuoteLimit; i++)
        {
            char c = text[i];
            builder.Append(char.IsControl(c) ? $"\\x{(int)c:X2}" : c.ToString());
        }

        if (text.Length > QuoteLimit)
        {
            builder.Append("...");
        }

        return builder.Append('"').ToString();
    }

    private static string Describe(char c) => c switch
    {
        '\r' => "CR",
        '\n' => "LF",
        '\0' => "NUL",
        _ => $"U+{(int)c:X4}",
    };
}
