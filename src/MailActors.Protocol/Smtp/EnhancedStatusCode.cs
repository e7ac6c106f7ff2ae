using System.Globalization;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// An RFC 3463 enhanced mail system status code such as <c>5.1.1</c>, sent by servers that advertise
/// ENHANCEDSTATUSCODES (RFC 2034) at the start of reply text.
/// </summary>
/// <param name="Class">2 (success), 4 (persistent transient failure) or 5 (permanent failure).</param>
/// <param name="Subject">The subject sub-code, 0 to 999 (1 = addressing, 2 = mailbox, 7 = security...).</param>
/// <param name="Detail">The detail sub-code, 0 to 999.</param>
public readonly record struct EnhancedStatusCode(int Class, int Subject, int Detail)
{
    /// <summary>
    /// Reads an enhanced status code at the very start of <paramref name="text"/>. The code must be followed by a space,
    /// a tab or the end of the text, so <c>5.1.1abc</c> and <c>5.1</c> are not codes.
    /// </summary>
    /// <param name="text">Reply text, typically the first line of a reply after the basic code.</param>
    /// <param name="code">The code read, or <see langword="default"/> when none is present.</param>
    /// <param name="length">How many characters the code occupies (not counting the following space).</param>
    /// <returns><see langword="true"/> when a well-formed code with class 2, 4 or 5 and sub-codes of 1 to 3 digits is present.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out EnhancedStatusCode code, out int length)
    {
        code = default;
        length = 0;
        if (text.Length < 5 || text[0] is not ('2' or '4' or '5') || text[1] != '.')
        {
            return false;
        }

        var position = 2;
        if (!TryReadNumber(text, ref position, out var subject) || position >= text.Length || text[position] != '.')
        {
            return false;
        }

        position++;
        if (!TryReadNumber(text, ref position, out var detail))
        {
            return false;
        }

        if (position < text.Length && text[position] is not (' ' or '\t'))
        {
            return false;
        }

        code = new EnhancedStatusCode(text[0] - '0', subject, detail);
        length = position;
        return true;
    }

    /// <summary>The dotted form, for example <c>5.1.1</c>.</summary>
    /// <returns>The code as it appears on the wire.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Class}.{Subject}.{Detail}");

    private static bool TryReadNumber(ReadOnlySpan<char> text, ref int position, out int value)
    {
        value = 0;
        var start = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            if (position - start == 3)
            {
                return false;
            }

            value = (value * 10) + (text[position] - '0');
            position++;
        }

        return position > start;
    }
}
