using System.Buffers;
using System.IO.Pipelines;
using MailActors.Protocol.Pop3;
using MailActors.Transport;

namespace MailActors.Pop3;

/// <summary>Reads one POP3 status line (<c>+OK</c>, <c>-ERR</c> or a SASL <c>+ </c> continuation).</summary>
internal sealed class StatusReader(Pop3StatusParser parser, Action<Pop3Response> onResponse) : IReplyReader
{
    private Pop3Response? _response;

    public ReadProgress Read(ref ReadOnlySequence<byte> buffer) =>
        parser.TryParseStatus(ref buffer, out _response) ? ReadProgress.Complete : ReadProgress.NeedMore;

    public void Deliver() => onResponse(_response!);
}

/// <summary>
/// Reads a status line and, when it is <c>+OK</c>, the multi-line body behind it into a <see cref="BodySink"/>.
/// A <c>-ERR</c> has no body. The limits of <see cref="Pop3ParserOptions"/> bound every body: an endless or malformed
/// one ends the session with a protocol error.
/// </summary>
internal sealed class MultiLineReader(
    Pop3StatusParser parser, Pop3MultiLineDecoder decoder, BodySink sink, Action<Pop3Response> onStatus, Action<Pop3Response> onDone) : IReplyReader
{
    private Pop3Response? _status;

    public bool InBody => _status is { IsOk: true };

    public ReadProgress Read(ref ReadOnlySequence<byte> buffer)
    {
        if (_status is null)
        {
            if (!parser.TryParseStatus(ref buffer, out _status))
            {
                return ReadProgress.NeedMore;
            }
            onStatus(_status);
            if (!_status.IsOk)
            {
                return ReadProgress.Complete;
            }
            decoder.Reset();
        }
        return sink.Read(ref buffer, decoder);
    }

    public void Deliver() => onDone(_status!);
}

/// <summary>Where a multi-line body goes while it is decoded.</summary>
internal abstract class BodySink
{
    /// <summary>Decodes what <paramref name="buffer"/> holds of the body.</summary>
    public abstract ReadProgress Read(ref ReadOnlySequence<byte> buffer, Pop3MultiLineDecoder decoder);

    /// <summary>The session ended before the body did.</summary>
    public virtual void Abort(Exception error)
    {
    }
}

/// <summary>A listing (CAPA, LIST, UIDL, LANG, a raw command) as text lines, each bounded by <see cref="Pop3ParserOptions.MaxLineLength"/>
/// and all of them by <see cref="Pop3ParserOptions.MaxListingBytes"/> of memory.</summary>
internal sealed class LinesSink : BodySink
{
    public List<string> Lines { get; } = [];

    public override ReadProgress Read(ref ReadOnlySequence<byte> buffer, Pop3MultiLineDecoder decoder) =>
        decoder.DecodeLines(ref buffer, Lines) ? ReadProgress.Complete : ReadProgress.NeedMore;
}

/// <summary>A message collected in memory, bounded by <see cref="Pop3ParserOptions.MaxResponseBytes"/>.</summary>
internal sealed class MemorySink : BodySink
{
    public ArrayBufferWriter<byte> Content { get; } = new(16 * 1024);

    public override ReadProgress Read(ref ReadOnlySequence<byte> buffer, Pop3MultiLineDecoder decoder) =>
        decoder.Decode(ref buffer, Content) ? ReadProgress.Complete : ReadProgress.NeedMore;
}

/// <summary>
/// A message handed on block by block to a consumer that may be slower than the network: after each block the reader
/// holds the wire (<see cref="ReadProgress.Hold"/>) until the consumer has taken the block, so memory stays bounded by
/// one block whatever the message size. When the consumer fails or goes away, the rest of the body is read and dropped,
/// so the session stays usable.
/// </summary>
internal abstract class StreamingSink(WireChannel wire) : BodySink
{
    private const int BlockSize = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _pending = new(BlockSize + 2);
    private bool _ended;

    /// <summary>Octets handed to the consumer.</summary>
    public long Octets { get; private set; }

    /// <summary>Why the consumer stopped taking content; null while it takes everything.</summary>
    public Exception? ConsumerError { get; private set; }

    public override ReadProgress Read(ref ReadOnlySequence<byte> buffer, Pop3MultiLineDecoder decoder)
    {
        if (!_ended)
        {
            var block = buffer.Slice(0, Math.Min(buffer.Length, BlockSize));
            _ended = decoder.Decode(ref block, _pending);
            buffer = buffer.Slice(block.Start);
        }
        if (_pending.WrittenCount > 0 && ConsumerError is null)
        {
            var data = _pending.WrittenMemory;
            Octets += data.Length;
            wire.Await(HandOnAsync(data), () =>
            {
                _pending.ResetWrittenCount();
                wire.Release();
            });
            return ReadProgress.Hold;
        }
        _pending.ResetWrittenCount();
        return _ended ? ReadProgress.Complete : ReadProgress.NeedMore;
    }

    private async Task HandOnAsync(ReadOnlyMemory<byte> data)
    {
        try
        {
            await WriteAsync(data).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ConsumerError = e;
        }
    }

    /// <summary>Hands one block to the consumer; throws when the consumer cannot take it.</summary>
    protected abstract Task WriteAsync(ReadOnlyMemory<byte> data);
}

/// <summary>Writes the body to a caller's stream (<see cref="MessageTarget.ToStream"/>).</summary>
internal sealed class DestinationSink(WireChannel wire, Stream destination) : StreamingSink(wire)
{
    protected override Task WriteAsync(ReadOnlyMemory<byte> data) => destination.WriteAsync(data).AsTask();
}

/// <summary>Feeds the body into a pipe whose reading end the requester holds as a stream (<see cref="MessageTarget.Streamed"/>).</summary>
internal sealed class PipeSink(WireChannel wire) : StreamingSink(wire)
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024, useSynchronizationContext: false));

    /// <summary>The reading end; EOF after the final dot, an exception if the session ends first.</summary>
    public Stream Body => _pipe.Reader.AsStream();

    protected override async Task WriteAsync(ReadOnlyMemory<byte> data)
    {
        var result = await _pipe.Writer.WriteAsync(data).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new IOException("The reader of the message stream went away.");
        }
    }

    /// <summary>Ends the stream after the last block.</summary>
    public void Complete() => _pipe.Writer.Complete();

    public override void Abort(Exception error) => _pipe.Writer.Complete(error);
}
