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
    private const int CompleteMaxLength = 5; // CRLF + ".\r\n"

    private readonly CrLfRewriter _rewriter = new(stuffLeadingDots: true);
    private bool _completed;

    /// <summary>Content bytes consumed by <see cref="Encode"/> since construction or the last <see cref="Reset"/>.</summary>
    public long BytesIn => _rewriter.BytesIn;

    /// <summary>Bytes written to the output (including the terminator written by <see cref="Complete"/>).</summary>
    public long BytesOut => _rewriter.BytesOut;

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

        _rewriter.Rewrite(input, output);
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

        _rewriter.WriteVerbatim(_rewriter.AtLineStart ? ".\r\n"u8 : "\r\n.\r\n"u8, output);
        _completed = true;
    }

    /// <summary>Returns the encoder to its initial state (start of a line, counters at zero) for the next message.</summary>
    public void Reset()
    {
        _rewriter.Reset();
        _completed = false;
    }
}
