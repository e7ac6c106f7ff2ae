using System.Globalization;
using System.Text;

namespace MailActors.Protocol.Smtp;

/// <summary>RFC 6533 utf-8-addr-xtext: ASCII QCHARs stand for themselves, everything else is <c>\x{HEX}</c>.</summary>
internal static class Utf8AddressXText
{
    public static string Encode(string address)
    {
        var builder = new StringBuilder(address.Length + 16);
        foreach (var rune in address.EnumerateRunes())
        {
            if (rune.Value is >= 0x21 and <= 0x7E and not '+' and not '=' and not '\\')
            {
                builder.Append((char)rune.Value);
            }
            else
            {
                builder.Append("\\x{").Append(rune.Value.ToString("X2", CultureInfo.InvariantCulture)).Append('}');
            }
        }

        return builder.ToString();
    }
}
