using MailActors.Protocol.Pop3.Internal;

namespace MailActors.Protocol.Pop3;

/// <summary>One line of the reply to a bare <c>LANG</c> (RFC 6856 §3): a language the server's responses can be in.</summary>
/// <param name="Tag">The language tag (RFC 5646), such as <c>en</c> or <c>de-CH</c>: what <c>LANG tag</c> selects.</param>
/// <param name="Description">The server's description of the language, in that language; may be empty.</param>
public readonly record struct Pop3Language(string Tag, string Description)
{
    /// <summary>Parses a listing line <c>tag SP description</c>.</summary>
    /// <param name="line">The line, un-stuffed, without its line ending.</param>
    /// <returns>The language.</returns>
    /// <exception cref="Pop3ProtocolException">The line does not start with a language tag (see <see cref="Pop3Command.Lang(string)"/>).</exception>
    public static Pop3Language Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string trimmed = line.Trim(' ', '\t');
        string[] fields = Pop3Syntax.SplitBlanks(trimmed);
        string tag = fields.Length == 0 ? string.Empty : fields[0];
        if (!Pop3Syntax.IsLanguageTag(tag))
        {
            throw new Pop3ProtocolException(
                $"The POP3 server sent the LANG line {Pop3Syntax.Quote(line)}; it must start with a language tag such as en or de-CH.");
        }

        string description = trimmed[tag.Length..].Trim(' ', '\t');
        return new Pop3Language(tag, description);
    }
}
