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

    /// <summary>
    /// The length in octets of the content as given, when known up front: for content in memory, the length of the bytes.
    /// </summary>
    /// <remarks>
    /// For content in memory, MAIL FROM's SIZE= is not this length but the size of the message as sent
    /// (<see cref="TransmittedLength"/>; RFC 1870: CRLF line endings, before dot-stuffing; with DATA, the CRLF that ends
    /// unterminated content included; BODY=BINARYMIME content at its exact octet count). For a stream
    /// (<see cref="FromStream"/>), SIZE= is declared from this length as given, and it is what is checked against the
    /// server's SIZE limit.
    /// </remarks>
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
    private long _normalizedLength; // set by the same inspection, before _kind (so valid once _kind is)

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

    /// <summary>
    /// The size of the content in memory as it is transmitted, what MAIL FROM's SIZE= declares (RFC 1870) and what the
    /// session checks against the server's SIZE limit: line endings as CRLF and no dot-stuffing; DATA
    /// (<paramref name="bdat"/> false) ends unterminated content with CRLF, BDAT does not; <paramref name="exactOctets"/>
    /// (BODY=BINARYMIME) content goes octet for octet. Comes from the same inspection as <see cref="RequiredBody"/>, so
    /// content is scanned once whatever is asked. For a stream, <see cref="Length"/>.
    /// </summary>
    /// <remarks>
    /// The DATA form (both arguments false) is the largest of the three, so content within a limit by it is within that
    /// limit however it is sent: what a caller that checks sizes before the server is known compares.
    /// </remarks>
    /// <param name="bdat">Sent with BDAT (CHUNKING) rather than DATA.</param>
    /// <param name="exactOctets">Sent as BODY=BINARYMIME, octet for octet.</param>
    /// <returns>The size in octets; for a stream, <see cref="Length"/> as given (null when not given).</returns>
    public long? TransmittedLength(bool bdat = false, bool exactOctets = false)
    {
        if (!IsInMemory)
        {
            return Length;
        }
        if (exactOctets)
        {
            return _bytes.Length;
        }
        _ = Kind; // inspects once
        var normalized = _normalizedLength;
        var span = _bytes.Span;
        return bdat || span.IsEmpty || span[^1] is (byte)'\r' or (byte)'\n' ? normalized : normalized + 2;
    }

    private ContentKind Kind
    {
        get
        {
            var kind = Volatile.Read(ref _kind);
            if (kind < 0)
            {
                var inspection = ContentInspector.Analyze(_bytes.Span);
                _normalizedLength = inspection.NormalizedLength;
                kind = (int)inspection.Kind;
                Volatile.Write(ref _kind, kind); // publishes _normalizedLength with it
            }
            return (ContentKind)kind;
        }
    }

    /// <summary>Content opened on demand; the stream is disposed after sending.</summary>
    /// <remarks>
    /// A stream is never scanned before it is sent. So MAIL FROM's SIZE= is <paramref name="length"/> as given, and it is
    /// what is checked against the server's SIZE limit: give the size as transmitted (RFC 1870), with CRLF line endings
    /// and, for DATA, the CRLF that ends content without a final line ending. And no BODY= is declared for it: content
    /// with 8-bit octets must set <see cref="MailParameters.Body"/> (<see cref="BodyType.EightBitMime"/>, or
    /// <see cref="BodyType.BinaryMime"/>) itself, or it is sent without BODY=.
    /// </remarks>
    /// <param name="open">Opens a fresh stream positioned at the start of the message.</param>
    /// <param name="length">The length if known: the size as transmitted, declared with SIZE= as it is.</param>
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
