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
    private const int MaxSpanRequest = 16 * 1024;

    private readonly bool _ensureTrailingLineEnding;
    private bool _swallowLf;
    private bool _atLineStart = true;

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
    public long BytesIn { get; private set; }

    /// <summary>Bytes written since construction or the last <see cref="Reset"/>.</summary>
    public long BytesOut { get; private set; }

    /// <summary>Normalises the next piece of content into <paramref name="output"/>.</summary>
    /// <param name="input">Content bytes, in any chunking.</param>
    /// <param name="output">Receives the normalised bytes.</param>
    public void Normalize(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (!input.IsEmpty)
        {
            var destination = output.GetSpan((int)Math.Min((input.Length * 2L) + 2, MaxSpanRequest));
            var consumed = NormalizeInto(input, destination, out var written);
            output.Advance(written);
            input = input[consumed..];
            BytesIn += consumed;
            BytesOut += written;
        }
    }

    /// <summary>
    /// Ends the content (appending CRLF when constructed with <c>ensureTrailingLineEnding</c> and the content needs it) and
    /// resets the state for the next content.
    /// </summary>
    /// <param name="output">Receives any final bytes.</param>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_ensureTrailingLineEnding && !_atLineStart)
        {
            output.Write("\r\n"u8);
            BytesOut += 2;
        }

        _swallowLf = false;
        _atLineStart = true;
    }

    /// <summary>Returns to the initial state with counters at zero.</summary>
    public void Reset()
    {
        _swallowLf = false;
        _atLineStart = true;
        BytesIn = 0;
        BytesOut = 0;
    }

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

    private int NormalizeInto(ReadOnlySpan<byte> input, Span<byte> destination, out int written)
    {
        int consumed = 0;
        written = 0;
        while (consumed < input.Length)
        {
            byte current = input[consumed];
            int room = destination.Length - written;
            if (current == (byte)'\n' && _swallowLf)
            {
                _swallowLf = false;
                consumed++;
            }
            else if (current is (byte)'\r' or (byte)'\n')
            {
                if (room < 2) break;
                destination[written++] = (byte)'\r';
                destination[written++] = (byte)'\n';
                _swallowLf = current == (byte)'\r';
                _atLineStart = true;
                consumed++;
            }
            else
            {
                var rest = input[consumed..];
                int run = rest.IndexOfAny((byte)'\r', (byte)'\n');
                if (run < 0) run = rest.Length;
                run = Math.Min(run, room);
                if (run == 0) break;
                rest[..run].CopyTo(destination[written..]);
                written += run;
                consumed += run;
                _swallowLf = false;
                _atLineStart = false;
            }
        }

        return consumed;
    }
}
