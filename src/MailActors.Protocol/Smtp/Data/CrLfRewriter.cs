using System.Buffers;

namespace MailActors.Protocol.Smtp.Data;

/// <summary>
/// The streaming core of <see cref="DataEncoder"/> and <see cref="LineEndingNormalizer"/>: every line ending (CRLF, bare LF,
/// bare CR) leaves as CRLF and, when asked, a '.' that starts a line is doubled. A CR is answered with CRLF at once and a
/// directly following LF is then dropped, so nothing is held back between calls and any chunking gives the same output.
/// </summary>
internal sealed class CrLfRewriter(bool stuffLeadingDots)
{
    // Bounded so a huge input does not ask an IBufferWriter (e.g. a PipeWriter) for one enormous segment.
    private const int MaxSpanRequest = 16 * 1024;

    private bool _swallowLf;

    /// <summary>Whether the output so far is empty or ends with CRLF.</summary>
    public bool AtLineStart { get; private set; } = true;

    /// <summary>Content bytes consumed by <see cref="Rewrite"/> since construction or the last <see cref="Reset"/>.</summary>
    public long BytesIn { get; private set; }

    /// <summary>Bytes written (by <see cref="Rewrite"/> and <see cref="WriteVerbatim"/>) since construction or the last <see cref="Reset"/>.</summary>
    public long BytesOut { get; private set; }

    public void Rewrite(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        while (!input.IsEmpty)
        {
            // Every input byte yields at most two output bytes.
            var destination = output.GetSpan((int)Math.Min((input.Length * 2L) + 2, MaxSpanRequest));
            var consumed = RewriteInto(input, destination, out var written);
            output.Advance(written);
            input = input[consumed..];
            BytesIn += consumed;
            BytesOut += written;
        }
    }

    /// <summary>Writes bytes the owner adds itself (a trailing CRLF, a terminator), counting them in <see cref="BytesOut"/>.</summary>
    public void WriteVerbatim(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        output.Write(bytes);
        BytesOut += bytes.Length;
    }

    /// <summary>Starts the next content at a line start; the counters go on.</summary>
    public void EndContent()
    {
        _swallowLf = false;
        AtLineStart = true;
    }

    /// <summary>Starts the next content with the counters at zero.</summary>
    public void Reset()
    {
        EndContent();
        BytesIn = 0;
        BytesOut = 0;
    }

    private int RewriteInto(ReadOnlySpan<byte> input, Span<byte> destination, out int written)
    {
        int consumed = 0;
        written = 0;
        while (consumed < input.Length)
        {
            byte current = input[consumed];
            int room = destination.Length - written;
            if (current == (byte)'\n' && _swallowLf)
            {
                // The LF of a CRLF whose CR already went out as CRLF.
                _swallowLf = false;
                consumed++;
            }
            else if (current is (byte)'\r' or (byte)'\n')
            {
                if (room < 2) break;
                destination[written++] = (byte)'\r';
                destination[written++] = (byte)'\n';
                _swallowLf = current == (byte)'\r';
                AtLineStart = true;
                consumed++;
            }
            else if (stuffLeadingDots && AtLineStart && current == (byte)'.')
            {
                if (room < 2) break;
                destination[written++] = (byte)'.';
                destination[written++] = (byte)'.';
                _swallowLf = false;
                AtLineStart = false;
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
                AtLineStart = false;
            }
        }

        return consumed;
    }
}
