using System.Buffers;

namespace MailActors.Protocol.Smtp.Data;

/// <summary>
/// Streaming SMTP DATA encoder (RFC 5321 section 4.5.2). Every line ending in the input (CRLF, bare LF or bare CR) leaves as
/// CRLF, because a bare CR or LF on the wire is what SMTP smuggling exploits; every line that starts with '.' gets an extra
/// leading '.'. State is carried across calls, so any chunking of the input produces byte-for-byte the same output.
/// </summary>
/// <remarks>
/// Usage: call <see cref="Encode"/> for each piece of content, then <see cref="Complete"/> once to append the terminator.
/// An instance is not thread-safe; call <see cref="Reset"/> to reuse it for another message.
/// </remarks>
public sealed class DataEncoder
{
    // Bounded so a huge input does not ask an IBufferWriter (e.g. a PipeWriter) for one enormous segment.
    private const int MaxSpanRequest = 16 * 1024;
    private const int CompleteMaxLength = 5; // CRLF + ".\r\n"

    private bool _atLineStart = true;
    private bool _swallowLf;
    private bool _completed;

    /// <summary>Content bytes consumed by <see cref="Encode"/> since construction or the last <see cref="Reset"/>.</summary>
    public long BytesIn { get; private set; }

    /// <summary>Bytes written to the output (including the terminator written by <see cref="Complete"/>).</summary>
    public long BytesOut { get; private set; }

    /// <summary>
    /// The largest output <see cref="Encode"/> plus <see cref="Complete"/> can produce for <paramref name="inputLength"/> input
    /// bytes: every byte can at most double (a stuffed '.' or a bare CR/LF), plus the closing CRLF and ".\r\n".
    /// </summary>
    /// <param name="inputLength">Number of content bytes.</param>
    /// <returns>An upper bound on the encoded length.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When the bound does not fit in an <see cref="int"/>.</exception>
    public static int MaxOutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputLength, (int.MaxValue - CompleteMaxLength) / 2);
        return (inputLength * 2) + CompleteMaxLength;
    }

    /// <summary>Encodes a piece of message content and writes the wire form to <paramref name="output"/>.</summary>
    /// <param name="input">The next bytes of the message content, in any chunking.</param>
    /// <param name="output">Receives the encoded bytes.</param>
    /// <exception cref="InvalidOperationException">When called after <see cref="Complete"/> without a <see cref="Reset"/>.</exception>
    public void Encode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_completed)
        {
            throw new InvalidOperationException("The DATA content was already completed; call Reset to start another message.");
        }

        while (!input.IsEmpty)
        {
            var destination = output.GetSpan(Math.Min(MaxOutputLength(Math.Min(input.Length, MaxSpanRequest)), MaxSpanRequest));
            var consumed = EncodeInto(input, destination, out var written);
            output.Advance(written);
            input = input[consumed..];
            BytesIn += consumed;
            BytesOut += written;
        }
    }

    /// <summary>
    /// Ends the content: writes CRLF when the content did not end with a line ending, then the terminating ".\r\n".
    /// </summary>
    /// <param name="output">Receives the final bytes.</param>
    /// <exception cref="InvalidOperationException">When called twice without a <see cref="Reset"/>.</exception>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_completed)
        {
            throw new InvalidOperationException("The DATA content was already completed.");
        }

        ReadOnlySpan<byte> trailer = _atLineStart ? ".\r\n"u8 : "\r\n.\r\n"u8;
        output.Write(trailer);
        BytesOut += trailer.Length;
        _completed = true;
    }

    /// <summary>Returns the encoder to its initial state (start of a line, counters at zero) for the next message.</summary>
    public void Reset()
    {
        _atLineStart = true;
        _swallowLf = false;
        _completed = false;
        BytesIn = 0;
        BytesOut = 0;
    }

    private int EncodeInto(ReadOnlySpan<byte> input, Span<byte> destination, out int written)
    {
        int consumed = 0;
        written = 0;
        while (consumed < input.Length)
        {
            byte current = input[consumed];
            int room = destination.Length - written;
            if (current == (byte)'\r')
            {
                if (room < 2) break;
                WriteCrLf(destination, ref written);
                _atLineStart = true;
                _swallowLf = true; // a following LF completes this CRLF rather than starting a new line
                consumed++;
            }
            else if (current == (byte)'\n')
            {
                if (_swallowLf)
                {
                    _swallowLf = false;
                    consumed++;
                    continue;
                }

                if (room < 2) break;
                WriteCrLf(destination, ref written);
                _atLineStart = true;
                consumed++;
            }
            else if (_atLineStart && current == (byte)'.')
            {
                if (room < 2) break;
                destination[written++] = (byte)'.';
                destination[written++] = (byte)'.';
                _atLineStart = false;
                _swallowLf = false;
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
                _atLineStart = false;
                _swallowLf = false;
            }
        }

        return consumed;
    }

    private static void WriteCrLf(Span<byte> destination, ref int written)
    {
        destination[written++] = (byte)'\r';
        destination[written++] = (byte)'\n';
    }
}
