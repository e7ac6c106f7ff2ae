namespace MailActors.Pop3.Fetch;

/// <summary>
/// A write-only stream that turns CRLF into LF on the way to <paramref name="inner"/>, as messages are stored in a
/// Maildir. A CR that is not followed by LF is kept; a CR at the end of one write is held until the next shows what
/// follows it, and written by <see cref="CompleteAsync"/> if the message ends there.
/// </summary>
internal sealed class UnixLineEndingStream(Stream inner) : Stream
{
    private bool _pendingCarriageReturn;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var output = new byte[buffer.Length + 1];
        var length = Convert(buffer, output);
        inner.Write(output, 0, length);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var output = new byte[buffer.Length + 1];
        var length = Convert(buffer.Span, output);
        await inner.WriteAsync(output.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Convert(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        foreach (var b in input)
        {
            if (_pendingCarriageReturn)
            {
                _pendingCarriageReturn = false;
                if (b != (byte)'\n')
                {
                    output[written++] = (byte)'\r';
                }
            }
            if (b == (byte)'\r')
            {
                _pendingCarriageReturn = true;
                continue;
            }
            output[written++] = b;
        }
        return written;
    }

    /// <summary>
    /// Writes a CR still held at the very end of the content: call it once, when the message is complete. Flushing is
    /// not the end of the message (a caller may flush between any two writes), so <see cref="Flush"/> and
    /// <see cref="FlushAsync(CancellationToken)"/> leave the CR held; nor does disposing, as a write that failed part
    /// way has no end to finish.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_pendingCarriageReturn)
        {
            _pendingCarriageReturn = false;
            await inner.WriteAsync("\r"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
