using System.Buffers;

namespace MailActors.Protocol.Smtp.Data;

/// <summary>
/// Streaming line-ending normaliser: CRLF stays CRLF, a bare LF or a bare CR becomes CRLF. Used for BDAT content and for
/// computing the on-the-wire size of a message (SIZE=). State is carried across calls, so any chunking gives the same output.
/// </summary>
/// <remarks>
/// A CR is answered with CRLF at once and a directly following LF is then dropped, so nothing is held back between calls.
/// An instance is not thread-safe.
/// </remarks>
public sealed class LineEndingNormalizer
{
    private readonly CrLfRewriter _rewriter = new(stuffLeadingDots: false);
    private readonly bool _ensureTrailingLineEnding;

    /// <summary>Creates a normaliser.</summary>
    /// <param name="ensureTrailingLineEnding">
    /// When true, <see cref="Complete"/> appends CRLF if the content was non-empty and did not end with a line ending
    /// (what a DATA transfer does to the message). Default false: the content is otherwise passed through unchanged.
    /// </param>
    public LineEndingNormalizer(bool ensureTrailingLineEnding = false)
    {
        _ensureTrailingLineEnding = ensureTrailingLineEnding;
    }

    /// <summary>Bytes consumed since construction or the last <see cref="Reset"/>.</summary>
    public long BytesIn => _rewriter.BytesIn;

    /// <summary>Bytes written since construction or the last <see cref="Reset"/>.</summary>
    public long BytesOut => _rewriter.BytesOut;

    /// <summary>Normalises the next piece of content into <paramref name="output"/>.</summary>
    /// <param name="input">Content bytes, in any chunking.</param>
    /// <param name="output">Receives the normalised bytes.</param>
    public void Normalize(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _rewriter.Rewrite(input, output);
    }

    /// <summary>
    /// Ends the content (appending CRLF when constructed with <c>ensureTrailingLineEnding</c> and the content needs it) and
    /// resets the state for the next content.
    /// </summary>
    /// <param name="output">Receives any final bytes.</param>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_ensureTrailingLineEnding && !_rewriter.AtLineStart)
        {
            _rewriter.WriteVerbatim("\r\n"u8, output);
        }

        _rewriter.EndContent();
    }

    /// <summary>Returns to the initial state with counters at zero.</summary>
    public void Reset() => _rewriter.Reset();

    /// <summary>The length <paramref name="content"/> has after normalisation (without any trailing line ending added).</summary>
    /// <param name="content">Complete content.</param>
    /// <returns>The normalised length in bytes.</returns>
    public static long NormalizedLength(ReadOnlySpan<byte> content)
    {
        long length = content.Length;
        int index = 0;
        while (index < content.Length)
        {
            int next = content[index..].IndexOfAny((byte)'\r', (byte)'\n');
            if (next < 0) break;
            index += next;
            if (content[index] == (byte)'\r')
            {
                if (index + 1 < content.Length && content[index + 1] == (byte)'\n')
                {
                    index += 2;
                    continue;
                }
            }

            length++; // a bare CR or bare LF grows into CRLF
            index++;
        }

        return length;
    }
}
