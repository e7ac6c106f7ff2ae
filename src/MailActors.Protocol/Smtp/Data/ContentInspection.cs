namespace MailActors.Protocol.Smtp.Data;

/// <summary>The result of scanning message content with <see cref="ContentScanner"/> or <see cref="ContentInspector"/>.</summary>
/// <param name="Kind">The narrowest transport that carries the content unchanged (after line-ending normalisation).</param>
/// <param name="Length">Bytes scanned.</param>
/// <param name="NormalizedLength">The length after line-ending normalisation, i.e. the size to announce with SIZE= for BDAT.</param>
/// <param name="LongestLine">Longest line in octets, excluding its line ending.</param>
/// <param name="HasBareLineEndings">True when a bare CR or bare LF was seen (normalisation will change the content).</param>
public readonly record struct ContentInspection(
    ContentKind Kind,
    long Length,
    long NormalizedLength,
    long LongestLine,
    bool HasBareLineEndings);
