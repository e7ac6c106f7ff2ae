using System.Buffers;

namespace MailActors.Protocol.Smtp.Data;

/// <summary>
/// Decodes dot-stuffed multi-line data (an SMTP DATA body on the server side, a POP3 multi-line response on the client side):
/// removes the extra leading '.' of each line and stops at the terminating ".\r\n" line, streaming across chunk boundaries.
/// </summary>
/// <remarks>
/// Only CRLF ends a line: a bare LF or bare CR is content, so "\n.\n" or "\r.\r" can never terminate the data early (the
/// server half of SMTP smuggling). The CRLF before the terminator belongs to the content. An instance is not thread-safe.
/// </remarks>
public sealed class DotUnstuffer
{
    private enum State
    {
        LineStart,
        AfterLeadingDot,
        AfterLeadingDotCr,
        InLine,
        Terminated,
    }

    private readonly long _maxBytes;
    private State _state = State.LineStart;
    private bool _previousWasCr;

    /// <summary>Creates a decoder.</summary>
    /// <param name="maxBytes">
    /// Most content bytes accepted before <see cref="Decode"/> throws <see cref="InvalidDataException"/>; bounds memory when a
    /// peer never sends the terminator.
    /// </param>
    public DotUnstuffer(long maxBytes = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _maxBytes = maxBytes;
    }

    /// <summary>Content bytes written since construction or the last <see cref="Reset"/>.</summary>
    public long BytesOut { get; private set; }

    /// <summary>True once the terminating line has been seen (until <see cref="Reset"/>).</summary>
    public bool IsCompleted => _state == State.Terminated;

    /// <summary>Consumes input and writes the un-stuffed content to <paramref name="output"/>.</summary>
    /// <param name="input">The next received bytes.</param>
    /// <param name="output">Receives content bytes (without stuffing dots and without the terminator line).</param>
    /// <param name="consumed">
    /// Bytes of <paramref name="input"/> used. When the method returns true, the bytes after <paramref name="consumed"/> belong
    /// to whatever follows the data (the next reply); otherwise all input was consumed.
    /// </param>
    /// <returns>True when the terminating ".\r\n" line was seen. After that, calls consume nothing and return true until <see cref="Reset"/>.</returns>
    /// <exception cref="InvalidDataException">When the content exceeds the byte limit given to the constructor.</exception>
    public bool Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> output, out int consumed)
    {
        ArgumentNullException.ThrowIfNull(output);
        consumed = 0;
        while (consumed < input.Length)
        {
            switch (_state)
            {
                case State.Terminated:
                    return true;

                case State.LineStart:
                    if (input[consumed] == (byte)'.')
                    {
                        _state = State.AfterLeadingDot;
                        consumed++;
                    }
                    else
                    {
                        _state = State.InLine;
                    }

                    break;

                case State.AfterLeadingDot:
                    if (input[consumed] == (byte)'\r')
                    {
                        _state = State.AfterLeadingDotCr;
                        consumed++;
                    }
                    else
                    {
                        // The leading dot was stuffing; the byte after it is ordinary content (a second '.' included).
                        _state = State.InLine;
                    }

                    break;

                case State.AfterLeadingDotCr:
                    if (input[consumed] == (byte)'\n')
                    {
                        consumed++;
                        _state = State.Terminated;
                        return true;
                    }

                    // ".\r" then something other than LF: not a terminator. The dot was stuffing; the CR is content.
                    Emit("\r"u8, output);
                    _previousWasCr = true;
                    _state = State.InLine;
                    break;

                case State.InLine:
                    consumed += CopyLines(input[consumed..], output);
                    break;
            }
        }

        return _state == State.Terminated;
    }

    /// <summary>Returns to the start of a body with <see cref="BytesOut"/> at zero.</summary>
    public void Reset()
    {
        _state = State.LineStart;
        _previousWasCr = false;
        BytesOut = 0;
    }

    // Copies whole lines in one write, up to the first line after which a '.' starts a line (or the end of the input), so
    // a body without stuffed dots costs one write per chunk rather than one per line.
    private int CopyLines(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        int position = 0;
        while (true)
        {
            int lf = input[position..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                Emit(input, output);
                _previousWasCr = input[^1] == (byte)'\r';
                return input.Length;
            }

            int end = position + lf + 1;

            // Only the first line can have its CR in an earlier chunk; later ones follow an LF in this input.
            bool endsWithCrLf = end >= 2 ? input[end - 2] == (byte)'\r' : _previousWasCr;
            _previousWasCr = false;
            if (endsWithCrLf && (end == input.Length || input[end] == (byte)'.'))
            {
                Emit(input[..end], output);
                _state = State.LineStart;
                return end;
            }

            position = end;
        }
    }

    private void Emit(ReadOnlySpan<byte> content, IBufferWriter<byte> output)
    {
        if (content.Length > _maxBytes - BytesOut)
        {
            throw new InvalidDataException($"Multi-line data exceeds the limit of {_maxBytes} bytes without a terminating line.");
        }

        output.Write(content);
        BytesOut += content.Length;
    }
}
