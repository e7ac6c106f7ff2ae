using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using MailActors.Protocol.Pop3.Internal;

namespace MailActors.Protocol.Pop3;

/// <summary>
/// Reads one POP3 status line (<c>+OK</c>, <c>-ERR</c>, or a SASL <c>+ </c> challenge) from buffered input.
/// Liberal in what it accepts: indicators in any case, LF without CR, tabs as separators. Bounded: a line longer
/// than <see cref="Pop3ParserOptions.MaxLineLength"/> is rejected as soon as enough of it has arrived to tell.
/// </summary>
public sealed class Pop3StatusParser
{
    private readonly Pop3ParserOptions _options;

    /// <summary>Creates a parser with the given limits, or <see cref="Pop3ParserOptions.Default"/>.</summary>
    /// <param name="options">Limits to apply; null for the defaults.</param>
    public Pop3StatusParser(Pop3ParserOptions? options = null)
    {
        _options = options ?? Pop3ParserOptions.Default;
    }

    /// <summary>
    /// Parses one status line from the start of <paramref name="buffer"/>.
    /// On success the buffer is advanced past the line's LF, leaving any later bytes (pipelined responses, a multi-line
    /// body) in place. On false the buffer is untouched: wait for more bytes and call again.
    /// </summary>
    /// <param name="buffer">Received bytes not yet consumed.</param>
    /// <param name="response">The parsed line when the result is true.</param>
    /// <returns>True when a whole line was parsed; false when more bytes are needed.</returns>
    /// <exception cref="Pop3ProtocolException">The line is not a POP3 status line, or is too long.</exception>
    public bool TryParseStatus(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out Pop3Response? response)
    {
        response = null;
        int maxLength = _options.MaxLineLength;

        // Look only as far as the longest acceptable line (plus CRLF) so a pipelined body behind it is never scanned.
        long window = Math.Min(buffer.Length, (long)maxLength + 2);
        var head = buffer.Slice(0, window);
        SequencePosition? lineFeed = head.PositionOf((byte)'\n');
        if (lineFeed is null)
        {
            if (window >= (long)maxLength + 2)
            {
                throw new Pop3ProtocolException(
                    $"The POP3 server sent a status line longer than {maxLength} octets without a line break.");
            }

            return false;
        }

        var line = buffer.Slice(0, lineFeed.Value);
        long length = line.Length;
        if (length > 0 && EndsWithCarriageReturn(line))
        {
            line = line.Slice(0, length - 1);
        }

        if (line.Length > maxLength)
        {
            throw new Pop3ProtocolException(
                $"The POP3 server sent a status line of {line.Length} octets; the limit is {maxLength}.");
        }

        response = Parse(Encoding.UTF8.GetString(line));
        buffer = buffer.Slice(buffer.GetPosition(1, lineFeed.Value));
        return true;
    }

    /// <summary>Parses a status line that has already been split off, without its CRLF.</summary>
    /// <param name="line">The line, such as <c>+OK 2 messages</c>.</param>
    /// <returns>The parsed response.</returns>
    /// <exception cref="Pop3ProtocolException">The line is not a POP3 status line.</exception>
    public static Pop3Response Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        line = line.TrimEnd('\r', '\n');

        if (TryMatchIndicator(line, "+OK", out string? text))
        {
            return new Pop3Response(Pop3StatusKind.Ok, text);
        }

        if (TryMatchIndicator(line, "-ERR", out text))
        {
            return new Pop3Response(Pop3StatusKind.Err, text);
        }

        if (TryMatchIndicator(line, "+", out text))
        {
            return new Pop3Response(Pop3StatusKind.Continuation, text);
        }

        throw new Pop3ProtocolException(
            $"The POP3 server sent {Pop3Syntax.Quote(line)}, which is not a status line (+OK, -ERR or a \"+ \" continuation).");
    }

    /// <summary>The indicator must be followed by the end of the line or a blank, so "+OKAY" and "-ERROR" are not matched.</summary>
    private static bool TryMatchIndicator(string line, string indicator, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (!line.StartsWith(indicator, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (line.Length > indicator.Length && !Pop3Syntax.IsBlank(line[indicator.Length]))
        {
            return false;
        }

        text = line.AsSpan(indicator.Length).Trim(" \t\r").ToString();
        return true;
    }

    private static bool EndsWithCarriageReturn(in ReadOnlySequence<byte> line)
    {
        var last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
