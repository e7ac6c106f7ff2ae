namespace MailActors.Testing;

/// <summary>
/// Streaming decoder for dot-terminated, dot-stuffed text (SMTP DATA, RFC 5321 section 4.5.2): removes the leading dot
/// of stuffed lines and stops at CRLF "." CRLF. Only CRLF ends a line, so a bare LF followed by a dot is content (the
/// strict reading that defeats SMTP smuggling). The CRLF before the terminating dot belongs to the content.
/// </summary>
internal sealed class DotUnstuffer
{
    private static readonly byte[] CarriageReturn = [(byte)'\r'];

    private State _state = State.LineStart;

    private enum State
    {
        LineStart,
        Text,
        AfterCarriageReturn,
        AfterLeadingDot,
        AfterLeadingDotCarriageReturn,
    }

    public void Reset() => _state = State.LineStart;

    /// <summary>
    /// Decodes as much of <paramref name="input"/> as belongs to the message into <paramref name="sink"/>.
    /// Returns the number of bytes consumed; <paramref name="complete"/> tells whether the terminator was reached
    /// (then the bytes after it are left unconsumed: they are the next pipelined commands).
    /// </summary>
    public int Decode(ReadOnlySpan<byte> input, MessageBuffer sink, out bool complete)
    {
        var i = 0;
        var runStart = 0;
        while (i < input.Length)
        {
            switch (_state)
            {
                case State.Text:
                    var cr = input[i..].IndexOf((byte)'\r');
                    if (cr < 0)
                    {
                        i = input.Length;
                    }
                    else
                    {
                        i += cr + 1;
                        _state = State.AfterCarriageReturn;
                    }

                    break;

                case State.AfterCarriageReturn:
                    var next = input[i++];
                    _state = next == (byte)'\n' ? State.LineStart : next == (byte)'\r' ? State.AfterCarriageReturn : State.Text;
                    break;

                case State.LineStart:
                    if (input[i] == (byte)'.')
                    {
                        sink.Append(input[runStart..i]);
                        i++;
                        runStart = i;
                        _state = State.AfterLeadingDot;
                    }
                    else
                    {
                        _state = State.Text;
                    }

                    break;

                case State.AfterLeadingDot:
                    if (input[i] == (byte)'\r')
                    {
                        // Held back: it is either part of the terminator or content, decided by the next byte.
                        i++;
                        runStart = i;
                        _state = State.AfterLeadingDotCarriageReturn;
                    }
                    else
                    {
                        _state = State.Text;
                    }

                    break;

                case State.AfterLeadingDotCarriageReturn:
                    if (input[i] == (byte)'\n')
                    {
                        complete = true;
                        _state = State.LineStart;
                        return i + 1;
                    }

                    sink.Append(CarriageReturn);
                    _state = State.Text;
                    break;
            }
        }

        sink.Append(input[runStart..]);
        complete = false;
        return input.Length;
    }
}
