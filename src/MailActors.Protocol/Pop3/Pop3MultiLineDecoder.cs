using System.Buffers;
using System.Text;

namespace MailActors.Protocol.Pop3;

/// <summary>
/// Decodes the body of a POP3 multi-line response (RFC 1939 §3) incrementally: removes the stuffed leading dot of
/// each line that starts with one and stops at the line that is only <c>.</c>. Input may arrive in chunks split
/// anywhere, including inside the terminator; the decoder keeps its place between calls and never holds a line in memory
/// when streaming to a buffer writer, so a message of any size passes through in bounded memory.
/// </summary>
/// <remarks>
/// Line endings are passed through as received (CRLF normally; a bare LF is accepted and kept). The terminator may be
/// <c>.CRLF</c> or, liberally, <c>.LF</c>. Bytes after the terminator belong to the next response and are left in the
/// buffer. One instance decodes one response at a time; call <see cref="Reset"/> before the next.
/// </remarks>
public sealed class Pop3MultiLineDecoder
{
    private enum State
    {
        LineStart,
        AfterLeadingDot,
        AfterLeadingDotCarriageReturn,
        InLine,
        Complete,
    }

    private static ReadOnlySpan<byte> CarriageReturn => "\r"u8;

    private readonly Pop3ParserOptions _options;
    private State _state;

    // Octets of the current line written so far (after un-stuffing), a trailing CR included.
    private long _lineLength;

    // Whether the last octet written for the current line was CR, which does not count if LF follows.
    private bool _lineEndsWithCarriageReturn;

    // Memory the lines of the current listing take, as Pop3ParserOptions.MaxListingBytes estimates it.
    private long _listingBytes;

    /// <summary>Creates a decoder with the given limits, or <see cref="Pop3ParserOptions.Default"/>.</summary>
    /// <param name="options">Limits to apply; null for the defaults.</param>
    public Pop3MultiLineDecoder(Pop3ParserOptions? options = null)
    {
        _options = options ?? Pop3ParserOptions.Default;
    }

    /// <summary>Octets consumed from the wire for the current response, stuffing dots and terminator included.</summary>
    public long BytesIn { get; private set; }

    /// <summary>Octets of content produced for the current response, line endings included.</summary>
    public long BytesOut { get; private set; }

    /// <summary>Complete content lines produced for the current response.</summary>
    public long LineCount { get; private set; }

    /// <summary>True once the terminating <c>.</c> line has been consumed.</summary>
    public bool IsComplete => _state == State.Complete;

    /// <summary>Prepares the decoder for the next multi-line response.</summary>
    public void Reset()
    {
        _state = State.LineStart;
        _lineLength = 0;
        _lineEndsWithCarriageReturn = false;
        _listingBytes = 0;
        BytesIn = 0;
        BytesOut = 0;
        LineCount = 0;
    }

    /// <summary>
    /// Consumes as much of <paramref name="buffer"/> as belongs to the response and writes the un-stuffed content,
    /// line endings included, to <paramref name="output"/>. Everything up to the end of the buffer is consumed unless the
    /// terminator is reached, so the caller never needs to keep bytes for the decoder.
    /// </summary>
    /// <param name="buffer">Received bytes; advanced past what was consumed.</param>
    /// <param name="output">Where content goes.</param>
    /// <returns>True when the terminator has been consumed (the response is complete); false when more bytes are needed.</returns>
    /// <exception cref="Pop3ProtocolException">
    /// The response exceeds <see cref="Pop3ParserOptions.MaxResponseBytes"/> or a line exceeds
    /// <see cref="Pop3ParserOptions.MaxContentLineLength"/>.
    /// </exception>
    public bool Decode(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_state == State.Complete)
        {
            return true;
        }

        var reader = new SequenceReader<byte>(buffer);
        while (_state != State.Complete && !reader.End)
        {
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            switch (_state)
            {
                case State.LineStart:
                    if (span[0] == (byte)'.')
                    {
                        Consume(ref reader, 1);
                        _state = State.AfterLeadingDot;
                    }
                    else
                    {
                        _state = State.InLine;
                    }

                    break;

                case State.AfterLeadingDot:
                    if (span[0] == (byte)'\r')
                    {
                        Consume(ref reader, 1);
                        _state = State.AfterLeadingDotCarriageReturn;
                    }
                    else if (span[0] == (byte)'\n')
                    {
                        Consume(ref reader, 1);
                        _state = State.Complete;
                    }
                    else
                    {
                        // The dot was stuffing; what follows is ordinary line content.
                        _state = State.InLine;
                    }

                    break;

                case State.AfterLeadingDotCarriageReturn:
                    if (span[0] == (byte)'\n')
                    {
                        Consume(ref reader, 1);
                        _state = State.Complete;
                    }
                    else
                    {
                        // ".\rX": the dot was stuffing and the CR is content.
                        AppendToLine(CarriageReturn, output);
                        _state = State.InLine;
                    }

                    break;

                case State.InLine:
                    int lineFeed = span.IndexOf((byte)'\n');
                    var piece = lineFeed < 0 ? span : span[..(lineFeed + 1)];
                    Consume(ref reader, piece.Length);
                    AppendToLine(piece, output);
                    if (lineFeed >= 0)
                    {
                        LineCount++;
                        _lineLength = 0;
                        _lineEndsWithCarriageReturn = false;
                        _state = State.LineStart;
                    }

                    break;
            }
        }

        buffer = buffer.Slice(reader.Position);
        return _state == State.Complete;
    }

    /// <summary>
    /// Consumes whole lines from <paramref name="buffer"/> and adds each, un-stuffed and without its line ending, to
    /// <paramref name="lines"/> (decoded as UTF-8). Suited to short listings (CAPA, LIST, UIDL, LANG); lines are limited to
    /// <see cref="Pop3ParserOptions.MaxLineLength"/> and the lines together to <see cref="Pop3ParserOptions.MaxListingBytes"/>
    /// of memory. A partial last line is left in the buffer.
    /// </summary>
    /// <param name="buffer">Received bytes; advanced past the lines consumed.</param>
    /// <param name="lines">Receives the content lines.</param>
    /// <returns>True when the terminator has been consumed; false when more bytes are needed.</returns>
    /// <exception cref="Pop3ProtocolException">A line, the whole response or the memory its lines take is over its limit.</exception>
    /// <exception cref="InvalidOperationException">The decoder is in the middle of a line from <see cref="Decode"/>.</exception>
    public bool DecodeLines(ref ReadOnlySequence<byte> buffer, ICollection<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (_state == State.Complete)
        {
            return true;
        }

        if (_state != State.LineStart)
        {
            throw new InvalidOperationException(
                "DecodeLines cannot continue a response that Decode left in the middle of a line; call Reset first.");
        }

        int maxLength = _options.MaxLineLength;
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            Count(line.Length + 1);
            if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
            {
                line = line.Slice(0, line.Length - 1);
            }

            if (line.Length > maxLength)
            {
                throw new Pop3ProtocolException(
                    $"The POP3 server sent a multi-line response line of {line.Length} octets; the limit is {maxLength}.");
            }

            if (line.Length > 0 && line.FirstSpan[0] == (byte)'.')
            {
                if (line.Length == 1)
                {
                    _state = State.Complete;
                    break;
                }

                line = line.Slice(1);
            }

            // Charged before the string exists, so a listing of tiny lines stops at the budget instead of at the wire
            // limit, which such lines would take some 20 times over in memory.
            long cost = (2 * line.Length) + Pop3ParserOptions.ListingLineOverhead;
            if (_listingBytes + cost > _options.MaxListingBytes)
            {
                throw new Pop3ProtocolException(
                    $"The POP3 server sent a listing whose lines would take more than {_options.MaxListingBytes} octets of " +
                    $"memory, the listing limit; it was refused after {LineCount} lines.");
            }

            _listingBytes += cost;
            lines.Add(Encoding.UTF8.GetString(line));
            BytesOut += line.Length + 2;
            LineCount++;
        }

        if (_state != State.Complete && reader.Remaining >= (long)maxLength + 2)
        {
            throw new Pop3ProtocolException(
                $"The POP3 server sent a multi-line response line longer than {maxLength} octets without a line break.");
        }

        buffer = buffer.Slice(reader.Position);
        return _state == State.Complete;
    }

    /// <summary>Accounts for octets taken from the wire, refusing them before anything is written if over the limit.</summary>
    private void Consume(ref SequenceReader<byte> reader, int count)
    {
        Count(count);
        reader.Advance(count);
    }

    private void Count(long count)
    {
        long total = BytesIn + count;
        if (total > _options.MaxResponseBytes)
        {
            throw new Pop3ProtocolException(
                $"The POP3 multi-line response exceeded {_options.MaxResponseBytes} octets without its terminating \".\" line.");
        }

        BytesIn = total;
    }

    /// <summary>Writes part of the current line after checking that the line stays within its length limit.</summary>
    private void AppendToLine(ReadOnlySpan<byte> piece, IBufferWriter<byte> output)
    {
        bool endsLine = piece[^1] == (byte)'\n';
        var content = endsLine ? piece[..^1] : piece;
        long length = _lineLength + content.Length;
        bool endsWithCarriageReturn = content.IsEmpty ? _lineEndsWithCarriageReturn : content[^1] == (byte)'\r';

        // A CR is part of the line unless it turns out to be the CR of CRLF.
        long effective = endsWithCarriageReturn ? length - 1 : length;
        if (effective > _options.MaxContentLineLength)
        {
            throw new Pop3ProtocolException(
                $"The POP3 server sent a multi-line response line longer than {_options.MaxContentLineLength} octets.");
        }

        output.Write(piece);
        BytesOut += piece.Length;
        _lineLength = length;
        _lineEndsWithCarriageReturn = endsWithCarriageReturn;
    }
}
