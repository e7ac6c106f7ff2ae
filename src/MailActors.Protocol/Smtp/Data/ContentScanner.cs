namespace MailActors.Protocol.Smtp.Data;

/// <summary>
/// Incremental form of <see cref="ContentInspector"/>: feed content in any chunking with <see cref="Scan"/>, read
/// <see cref="Result"/> at the end. Line endings are counted the way <see cref="LineEndingNormalizer"/> rewrites them.
/// </summary>
public sealed class ContentScanner
{
    /// <summary>RFC 5322 section 2.1.1: a line must not exceed 998 octets, excluding the CRLF.</summary>
    public const int MaxLineLength = 998;

    private long _length;
    private long _normalizedLength;
    private long _currentLine;
    private long _longestLine;
    private bool _hasEightBit;
    private bool _hasNul;
    private bool _hasBareLineEndings;
    private bool _pendingCr;

    /// <summary>The inspection of everything scanned so far.</summary>
    public ContentInspection Result
    {
        get
        {
            var kind = _hasNul || _longestLine > MaxLineLength
                ? ContentKind.Binary
                : _hasEightBit ? ContentKind.EightBit : ContentKind.SevenBit;
            bool bare = _hasBareLineEndings || _pendingCr; // a CR at the very end has no LF after it
            long normalized = _normalizedLength + (_pendingCr ? 1 : 0);
            return new ContentInspection(kind, _length, normalized, _longestLine, bare);
        }
    }

    /// <summary>Scans the next piece of content.</summary>
    /// <param name="content">Content bytes.</param>
    public void Scan(ReadOnlySpan<byte> content)
    {
        _length += content.Length;
        _normalizedLength += content.Length;
        while (!content.IsEmpty)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (content[0] == (byte)'\n')
                {
                    content = content[1..];
                    continue;
                }

                _hasBareLineEndings = true;
                _normalizedLength++;
            }

            int special = content.IndexOfAny((byte)'\r', (byte)'\n', (byte)0);
            int run = special < 0 ? content.Length : special;
            if (!_hasEightBit && content[..run].IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
            {
                _hasEightBit = true;
            }

            _currentLine += run;
            if (special < 0)
            {
                break;
            }

            byte current = content[special];
            content = content[(special + 1)..];
            if (current == 0)
            {
                _hasNul = true;
                _currentLine++;
                continue;
            }

            EndLine();
            if (current == (byte)'\r')
            {
                _pendingCr = true;
            }
            else
            {
                _hasBareLineEndings = true;
                _normalizedLength++;
            }
        }

        _longestLine = Math.Max(_longestLine, _currentLine);
    }

    /// <summary>Starts over for new content.</summary>
    public void Reset()
    {
        _length = _normalizedLength = _currentLine = _longestLine = 0;
        _hasEightBit = _hasNul = _hasBareLineEndings = _pendingCr = false;
    }

    private void EndLine()
    {
        _longestLine = Math.Max(_longestLine, _currentLine);
        _currentLine = 0;
    }
}
