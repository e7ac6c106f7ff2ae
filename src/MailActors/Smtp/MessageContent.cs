using MailActors.Protocol.Smtp;
using MailActors.Protocol.Smtp.Data;

namespace MailActors.Smtp;

/// <summary>
/// The octets of a message for DATA or BDAT: bytes in memory, or a stream read once, front to back, while it is sent
/// (a large message never has to sit whole in memory). Line endings are normalised to CRLF on the way out.
/// </summary>
public sealed class MessageContent
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Func<Stream>? _open;

    private MessageContent(ReadOnlyMemory<byte> bytes, Func<Stream>? open, long? length)
    {
        _bytes = bytes;
        _open = open;
        Length = length;
    }

    /// <summary>The length in octets when known up front (used for SIZE and BDAT planning).</summary>
    public long? Length { get; }

    /// <summary>True when the content is held in memory.</summary>
    public bool IsInMemory => _open is null;

    /// <summary>The bytes, when <see cref="IsInMemory"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>
    /// Content held in memory. The bytes are not copied, so they must not change while the content is in use (what
    /// they need of the server, 8BITMIME or BINARYMIME, is worked out once: content sent to many is inspected once).
    /// </summary>
    public static MessageContent FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes, null, bytes.Length);

    private int _kind = -1; // a ContentKind once inspected; an int so that a racing reader never sees half a value

    /// <summary>
    /// The BODY= the octets in memory need: none for 7-bit text, 8BITMIME, or BINARYMIME (see
    /// <see cref="ContentInspector"/>). Inspected on first use only.
    /// </summary>
    internal BodyType? RequiredBody => Kind switch
    {
        ContentKind.EightBit => BodyType.EightBitMime,
        ContentKind.Binary => BodyType.BinaryMime,
        _ => null,
    };

    private ContentKind Kind
    {
        get
        {
            var kind = Volatile.Read(ref _kind);
            if (kind < 0)
            {
                kind = (int)ContentInspector.Inspect(_bytes.Span);
                Volatile.Write(ref _kind, kind);
            }
            return (ContentKind)kind;
        }
    }

    /// <summary>Content opened on demand; the stream is disposed after sending.</summary>
    /// <param name="open">Opens a fresh stream positioned at the start of the message.</param>
    /// <param name="length">The length if known.</param>
    public static MessageContent FromStream(Func<Stream> open, long? length = null) =>
        new(default, open ?? throw new ArgumentNullException(nameof(open)), length);

    /// <summary>Opens the content for reading.</summary>
    internal Stream Open() => _open is null ? new MemoryStreamReader(_bytes) : _open();

    /// <summary>A read-only stream over memory without copying it.</summary>
    private sealed class MemoryStreamReader(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => memory.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
