namespace MailActors.Protocol.Smtp.Data;

/// <summary>
/// Scans message content to choose SMTP extensions: 8-bit bytes need 8BITMIME (or SMTPUTF8), NUL bytes or lines over 998
/// octets need BINARYMIME; also reports the normalised size for SIZE=. For streams use <see cref="ContentScanner"/>.
/// </summary>
public static class ContentInspector
{
    /// <summary>Classifies complete content.</summary>
    /// <param name="content">The whole message.</param>
    /// <returns>The narrowest <see cref="ContentKind"/> that carries it.</returns>
    public static ContentKind Inspect(ReadOnlySpan<byte> content) => Analyze(content).Kind;

    /// <summary>Full inspection of complete content: kind, sizes, longest line, bare line endings.</summary>
    /// <param name="content">The whole message.</param>
    /// <returns>The inspection result.</returns>
    public static ContentInspection Analyze(ReadOnlySpan<byte> content)
    {
        var scanner = new ContentScanner();
        scanner.Scan(content);
        return scanner.Result;
    }
}
