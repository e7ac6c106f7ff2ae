using System.Buffers;
using System.Globalization;
using System.Text;
using MailActors.Protocol.Integrity;
using MailActors.Smtp;

namespace MailActors.Load;

/// <summary>
/// Builds the messages of a load run. Each distinct body size is generated once, with its digest header; a message is
/// then only its own small header block (From, To, Subject, Date, a unique Message-ID, the digest) in front of the
/// shared body: copied with it into a pooled buffer when small (one write), streamed behind it when large (no copy).
/// Used from one thread (the run's supervisor).
/// </summary>
public sealed class LoadMessageFactory
{
    private const int LineLength = 76;
    private readonly LoadMessageOptions _options;
    private readonly AddressTemplate _from;
    private readonly AddressTemplate _to;
    private readonly string _runId;
    private readonly Dictionary<int, Body> _bodies = [];
    private long _dateSecond = -1;
    private string _date = "";

    /// <summary>Creates a factory; <paramref name="runId"/> makes Message-IDs unique across runs.</summary>
    public LoadMessageFactory(LoadMessageOptions options, string? runId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _from = AddressTemplate.Parse(options.From);
        _to = AddressTemplate.Parse(options.To);
        _runId = runId ?? Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>The message numbered <paramref name="number"/>, sent by session <paramref name="session"/>.</summary>
    public LoadMessage Create(long number, int session)
    {
        var (sender, recipients, header, body) = Parts(number, session);
        if (body.Bytes.Length > InMemoryLimit)
        {
            // Large bodies are streamed behind their header without copying.
            var head = Encoding.UTF8.GetBytes(header);
            var streamed = head.Length + body.Bytes.Length;
            return new LoadMessage(number, sender, recipients, MessageContent.FromStream(() => new HeadAndBodyStream(head, body.Bytes), streamed), streamed);
        }
        // Small messages go out in one write from memory (the session's fast path); header and shared body are copied
        // into a pooled buffer that goes back to the pool when the session has answered for the message.
        var length = Encoding.UTF8.GetByteCount(header) + body.Bytes.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var written = Encoding.UTF8.GetBytes(header, buffer);
        body.Bytes.CopyTo(buffer.AsSpan(written));
        return new LoadMessage(number, sender, recipients, MessageContent.FromBytes(buffer.AsMemory(0, length)), length) { PooledBuffer = buffer };
    }

    /// <summary>
    /// The content (header block and body) of the message numbered <paramref name="number"/>, as one array whatever
    /// its size: for filling mailboxes and test servers, which store a message rather than send it. The content of
    /// <see cref="Create"/> is a stream above <see cref="InMemoryLimit"/>, whose <see cref="MessageContent.Bytes"/> is
    /// empty, so reading that instead would store empty messages.
    /// </summary>
    public byte[] ContentBytes(long number, int session)
    {
        var (_, _, header, body) = Parts(number, session);
        var content = new byte[Encoding.UTF8.GetByteCount(header) + body.Bytes.Length];
        var written = Encoding.UTF8.GetBytes(header, content);
        body.Bytes.CopyTo(content.AsSpan(written));
        return content;
    }

    private (string Sender, SmtpSession.TransactionRecipient[] Recipients, string Header, Body Body) Parts(long number, int session)
    {
        var body = BodyFor(_options.Size.SizeOf(number));
        var sender = _from.Expand(number, session, 0);
        var recipients = new SmtpSession.TransactionRecipient[_options.Recipients];
        for (var r = 0; r < recipients.Length; r++)
        {
            recipients[r] = new SmtpSession.TransactionRecipient(_to.Expand(number, session, r + 1));
        }
        return (sender, recipients, HeaderText(number, sender, recipients, body.DigestLine), body);
    }

    /// <summary>Bodies up to this size are sent from one in-memory buffer; larger ones are streamed.</summary>
    internal const int InMemoryLimit = 48 * 1024;

    /// <summary>The shared body of <paramref name="size"/> octets: printable ASCII lines ending in CRLF.</summary>
    public ReadOnlyMemory<byte> BodyOf(int size) => BodyFor(size).Bytes;

    private Body BodyFor(int size)
    {
        if (!_bodies.TryGetValue(size, out var body))
        {
            var bytes = BuildBody(size);
            body = new Body(bytes, ContentDigest.HeaderLine(bytes));
            _bodies[size] = body;
        }
        return body;
    }

    private string HeaderText(long number, string sender, SmtpSession.TransactionRecipient[] recipients, string digestLine)
    {
        var to = recipients.Length <= 8 ? string.Join(", ", recipients.Select(r => r.Address)) : "undisclosed-recipients:;";
        return string.Create(CultureInfo.InvariantCulture,
            $"From: <{sender}>\r\nTo: {to}\r\nSubject: {_options.Subject} {number}\r\nDate: {CurrentDate()}\r\nMessage-ID: <{number}.{_runId}@{_options.MessageIdDomain}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n{digestLine}\r\n");
    }

    private string CurrentDate()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.ToUnixTimeSeconds();
        if (second != _dateSecond)
        {
            _dateSecond = second;
            _date = now.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
        }
        return _date;
    }

    private static byte[] BuildBody(int size)
    {
        if (size == 0)
        {
            return [];
        }
        size = Math.Max(size, 2);
        var bytes = new byte[size];
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
        var column = 0;
        var line = 0;
        for (var i = 0; i < size; i++)
        {
            var remaining = size - i;
            if (remaining == 2 || column == LineLength)
            {
                bytes[i] = (byte)'\r';
                bytes[i + 1] = (byte)'\n';
                i++;
                column = 0;
                line++;
                continue;
            }
            // Never start a line with '.', so the body needs no dot-stuffing; vary by line so lines differ.
            bytes[i] = (byte)alphabet[(line * 7 + column) % alphabet.Length];
            column++;
        }
        return bytes;
    }

    private sealed record Body(byte[] Bytes, string DigestLine);

    /// <summary>A read-only stream over a header block and a shared body, without concatenating them.</summary>
    private sealed class HeadAndBodyStream(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => head.Length + body.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < Length)
            {
                var (source, offset) = _position < head.Length ? (head, _position) : (body, _position - head.Length);
                var n = (int)Math.Min(buffer.Length - written, source.Length - offset);
                source.Span.Slice((int)offset, n).CopyTo(buffer[written..]);
                written += n;
                _position += n;
            }
            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
