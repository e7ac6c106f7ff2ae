using System.Buffers;
using System.Text;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// Incremental SMTP reply parser. The transport appends bytes as they arrive and calls <see cref="TryParse"/> until it
/// returns <see langword="false"/>; each call yields one complete reply. A reply split across reads, or several
/// replies in one read (pipelining), are both handled.
/// </summary>
/// <remarks>
/// <para>
/// The parser is stateful: lines of a multi-line reply that has not ended yet are consumed from the buffer and kept
/// here, so after a <see langword="false"/> the buffer may have been advanced. Always continue with the buffer as
/// the call left it (the usual <c>PipeReader.AdvanceTo(buffer.Start, buffer.End)</c> pattern). One instance per
/// connection; not thread-safe. After a <see cref="MailProtocolException"/> the connection is unusable; call
/// <see cref="Reset"/> only if the instance is reused for a new one.
/// </para>
/// <para>
/// Liberal where real servers differ: a last line may be a bare code (<c>250</c>) or a code and a space with no text
/// (<c>250 </c>, as smtp-sink ends EHLO); lines may end in LF alone. Strict where framing is at stake: line length,
/// line count, the code, the separator, matching codes on continuation lines and control characters (TAB is allowed)
/// are all checked. Text is decoded as UTF-8; invalid sequences become U+FFFD rather than failing the session.
/// </para>
/// </remarks>
public sealed class SmtpReplyParser
{
    private const int ExcerptLength = 64;

    // Everything below 0x20 except TAB, and DEL. A CR that is not the line's last byte lands here too.
    private static readonly SearchValues<byte> ControlBytes = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F]);

    private readonly int maxLineLength;
    private readonly int maxLines;
    private readonly List<string> pendingLines = [];
    private int pendingCode;

    // Recent one-line replies, handed out again when the same line comes back: a bulk session gets the same MAIL, RCPT
    // and DATA replies for every message, and decoding each anew cost three objects per reply. Replies are immutable,
    // so sharing one is safe. The least recently matched entry makes room for a new one.
    private const int RecentReplies = 4;
    private (SmtpReply? Reply, long LastUse)[]? recent;
    private long useClock;

    /// <summary>Creates a parser.</summary>
    /// <param name="options">Limits; <see langword="null"/> means <see cref="SmtpReplyParserOptions.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below its minimum.</exception>
    public SmtpReplyParser(SmtpReplyParserOptions? options = null)
    {
        options ??= SmtpReplyParserOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLineLength, 4, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLines, 1, nameof(options));
        maxLineLength = options.MaxLineLength;
        maxLines = options.MaxLines;
    }

    /// <summary>Tells whether lines of an unfinished multi-line reply are being held.</summary>
    public bool HasPartialReply => pendingLines.Count > 0;

    /// <summary>
    /// Consumes one complete reply from the start of <paramref name="buffer"/>, advancing it past the reply.
    /// </summary>
    /// <param name="buffer">Received bytes not yet consumed; advanced past every line this call consumed.</param>
    /// <param name="reply">The reply, when one was completed.</param>
    /// <returns><see langword="true"/> with a reply; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="MailProtocolException">
    /// A line exceeds <see cref="SmtpReplyParserOptions.MaxLineLength"/> (also detected before its line ending arrives),
    /// a reply has more than <see cref="SmtpReplyParserOptions.MaxLines"/> lines, a code is not three digits from 200 to
    /// 599, the separator after the code is not a space, hyphen or end of line, a continuation line carries a different
    /// code, or a line contains control characters.
    /// </exception>
    public bool TryParse(ref ReadOnlySequence<byte> buffer, out SmtpReply? reply)
    {
        // Content, an optional CR and the LF: a window this long must hold the LF or the line is already too long.
        var window = maxLineLength + 2;
        while (true)
        {
            var searched = buffer.Length > window ? buffer.Slice(0, window) : buffer;
            var reader = new SequenceReader<byte>(searched);
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                if (searched.Length == window)
                {
                    throw new MailProtocolException(
                        $"Reply line longer than {maxLineLength} bytes without a line ending: \"{Excerpt(searched.FirstSpan)}\"...");
                }

                reply = null;
                return false;
            }

            reply = line.IsSingleSegment ? AcceptLine(line.FirstSpan) : AcceptSegmentedLine(line);
            buffer = buffer.Slice(reader.Position);
            if (reply is not null)
            {
                return true;
            }
        }
    }

    /// <summary>Forgets any partially received reply.</summary>
    public void Reset()
    {
        pendingLines.Clear();
        pendingCode = 0;
    }

    // Escapes everything that is not printable ASCII so a hostile reply cannot forge log lines.
    private static string Excerpt(ReadOnlySpan<byte> bytes)
    {
        var truncated = bytes.Length > ExcerptLength;
        var shown = truncated ? bytes[..ExcerptLength] : bytes;
        var builder = new StringBuilder(shown.Length + 8);
        foreach (var b in shown)
        {
            if (b is >= 0x20 and < 0x7F and not (byte)'\\' and not (byte)'"')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return truncated ? builder.Append("...").ToString() : builder.ToString();
    }

    private SmtpReply? AcceptSegmentedLine(ReadOnlySequence<byte> line)
    {
        var length = (int)line.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            line.CopyTo(rented);
            return AcceptLine(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private SmtpReply? AcceptLine(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length > maxLineLength)
        {
            throw new MailProtocolException($"Reply line longer than {maxLineLength} bytes: \"{Excerpt(line)}\"");
        }

        if (pendingLines.Count + 1 > maxLines)
        {
            throw new MailProtocolException($"Reply has more than {maxLines} lines.");
        }

        if (line.Length < 3
            || line[0] is < (byte)'2' or > (byte)'5'
            || !char.IsAsciiDigit((char)line[1])
            || !char.IsAsciiDigit((char)line[2]))
        {
            throw new MailProtocolException($"Reply line does not start with a code from 200 to 599: \"{Excerpt(line)}\"");
        }

        var code = ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
        var last = true;
        var text = ReadOnlySpan<byte>.Empty;
        if (line.Length > 3)
        {
            last = line[3] switch
            {
                (byte)' ' => true,
                (byte)'-' => false,
                _ => throw new MailProtocolException(
                    $"Reply code must be followed by a space, a hyphen or the line end: \"{Excerpt(line)}\""),
            };
            text = line[4..];
        }

        if (text.IndexOfAny(ControlBytes) >= 0)
        {
            throw new MailProtocolException($"Reply line contains control characters: \"{Excerpt(line)}\"");
        }

        if (pendingCode != 0 && code != pendingCode)
        {
            throw new MailProtocolException(
                $"Continuation line has code {code} inside a {pendingCode} reply: \"{Excerpt(line)}\"");
        }

        if (last && pendingLines.Count == 0)
        {
            if (Recent(code, text) is { } known)
            {
                return known;
            }

            var reply = SmtpReply.FromValidatedLines(code, [Decode(text)]);
            return Ascii.IsValid(text) ? Remember(reply) : reply; // other text could never be matched
        }

        var decoded = Decode(text);
        if (!last)
        {
            pendingCode = code;
            pendingLines.Add(decoded);
            return null;
        }

        pendingLines.Add(decoded);
        string[] lines = [.. pendingLines];
        Reset();
        return SmtpReply.FromValidatedLines(code, lines);
    }

    private static string Decode(ReadOnlySpan<byte> text) => text.IsEmpty ? string.Empty : Encoding.UTF8.GetString(text);

    // Only ASCII text can match (Ascii.Equals is false for any other byte), so a match is the same text, decoded.
    private SmtpReply? Recent(int code, ReadOnlySpan<byte> text)
    {
        if (recent is null)
        {
            return null;
        }

        for (var i = 0; i < recent.Length; i++)
        {
            if (recent[i].Reply is { } known && known.Code == code && Ascii.Equals(text, known.Lines[0]))
            {
                recent[i].LastUse = ++useClock;
                return known;
            }
        }

        return null;
    }

    private SmtpReply Remember(SmtpReply reply)
    {
        recent ??= new (SmtpReply?, long)[RecentReplies];
        var oldest = 0;
        for (var i = 1; i < recent.Length; i++)
        {
            if (recent[i].LastUse < recent[oldest].LastUse)
            {
                oldest = i;
            }
        }

        recent[oldest] = (reply, ++useClock);
        return reply;
    }
}
