using System.Globalization;
using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>
/// A reduced SASLprep (RFC 4013) for SCRAM user names and passwords: non-ASCII spaces become U+0020, characters "commonly
/// mapped to nothing" are removed, NFKC is applied where the runtime supports it (not under invariant globalization, where
/// only ASCII is unaffected anyway), and control, private-use, non-character, surrogate and other prohibited characters are
/// rejected. Not checked: the bidirectional rules and unassigned code points.
/// </summary>
internal static class SaslPrep
{
    public static string Prepare(string value, string what)
    {
        var mapped = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (IsNonAsciiSpace(c))
            {
                mapped.Append(' ');
            }
            else if (!IsMappedToNothing(c))
            {
                mapped.Append(c);
            }
        }

        string normalized = Normalize(mapped.ToString());
        for (int i = 0; i < normalized.Length; i++)
        {
            char c = normalized[i];
            if (char.IsHighSurrogate(c) && i + 1 < normalized.Length && char.IsLowSurrogate(normalized[i + 1]))
            {
                int codePoint = char.ConvertToUtf32(c, normalized[i + 1]);
                if (IsProhibitedSupplementary(codePoint))
                {
                    throw new ArgumentException($"The {what} contains a character SASLprep prohibits (U+{codePoint:X}).");
                }

                i++;
                continue;
            }

            if (IsProhibited(c))
            {
                throw new ArgumentException($"The {what} contains a character SASLprep prohibits (U+{(int)c:X4}).");
            }
        }

        return normalized;
    }

    private static string Normalize(string value)
    {
        try
        {
            return value.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Invalid code point sequences (e.g. lone surrogates) are reported by the prohibition check instead.
            return value;
        }
    }

    // RFC 3454 table C.1.2.
    private static bool IsNonAsciiSpace(char c) =>
        c is '\u00A0' or '\u1680' or (>= '\u2000' and <= '\u200B') or '\u202F' or '\u205F' or '\u3000';

    // RFC 3454 table B.1.
    private static bool IsMappedToNothing(char c) =>
        c is '\u00AD' or '\u034F' or '\u1806' or (>= '\u180B' and <= '\u180D') or (>= '\u200B' and <= '\u200D') or '\u2060'
            or (>= '\uFE00' and <= '\uFE0F') or '\uFEFF';

    // RFC 3454 tables C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 (BMP part).
    private static bool IsProhibited(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.PrivateUse
        || c is '\u06DD' or '\u070F' or '\u180E' or (>= '\u200C' and <= '\u200F') or (>= '\u2028' and <= '\u202E')
            or (>= '\u2060' and <= '\u2063') or (>= '\u206A' and <= '\u206F') or '\uFEFF' or (>= '\uFFF9' and <= '\uFFFD')
            or (>= '\uFDD0' and <= '\uFDEF') or '\uFFFE' or '\uFFFF' or (>= '\u2FF0' and <= '\u2FFB') or '\u0340' or '\u0341';

    // Supplementary planes: private use (planes 15-16), non-characters (xFFFE/xFFFF), tag characters, musical controls.
    private static bool IsProhibitedSupplementary(int codePoint) =>
        codePoint >= 0xF0000
        || (codePoint & 0xFFFE) == 0xFFFE
        || codePoint is 0xE0001 or (>= 0xE0020 and <= 0xE007F) or (>= 0x1D173 and <= 0x1D17A);
}
