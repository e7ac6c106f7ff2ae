using System.Buffers;
using System.Runtime.CompilerServices;

namespace MailActors.Protocol.Smtp.Data;

/// <summary>
/// BDAT framing (RFC 3030 CHUNKING): reads message content from a stream and cuts it into chunks of at most
/// <see cref="ChunkSize"/> bytes, normalising line endings to CRLF on the way (BDAT does no dot-stuffing).
/// </summary>
/// <remarks>
/// A full chunk is only yielded once more content is known to follow, so the final chunk carries data and the LAST flag
/// together; the only empty chunk is the single <c>BDAT 0 LAST</c> for empty content. Exactly one chunk has
/// <see cref="BdatChunk.IsLast"/> set, and it is the final one. Content is not given a trailing CRLF.
/// </remarks>
public sealed class BdatChunker
{
    private readonly bool _normalizeLineEndings;

    /// <summary>Creates a chunker.</summary>
    /// <param name="chunkSize">Largest chunk in bytes (at least 1).</param>
    /// <param name="normalizeLineEndings">
    /// True (default) to turn bare CR and bare LF into CRLF; false to send the bytes exactly (e.g. BODY=BINARYMIME content).
    /// </param>
    public BdatChunker(int chunkSize = 64 * 1024, bool normalizeLineEndings = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ChunkSize = chunkSize;
        _normalizeLineEndings = normalizeLineEndings;
    }

    /// <summary>The largest chunk this chunker yields.</summary>
    public int ChunkSize { get; }

    /// <summary>Reads <paramref name="content"/> to its end and yields the BDAT chunks.</summary>
    /// <param name="content">The message; read from its current position, not disposed.</param>
    /// <param name="ct">Cancels reading.</param>
    /// <returns>
    /// The chunks in order. Each chunk's <see cref="BdatChunk.Data"/> lives in a pooled buffer and is valid only until the
    /// enumerator moves on (the next <c>MoveNextAsync</c>) or is disposed: send it, or copy it, before continuing.
    /// </returns>
    public async IAsyncEnumerable<BdatChunk> ChunkAsync(Stream content, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        int readSize = Math.Min(ChunkSize, 64 * 1024);
        var normalizer = _normalizeLineEndings ? new LineEndingNormalizer() : null;
        var readBuffer = ArrayPool<byte>.Shared.Rent(readSize);
        using var pending = new PooledBufferWriter(ChunkSize + (2 * readSize));
        try
        {
            while (true)
            {
                int read = await content.ReadAsync(readBuffer.AsMemory(0, readSize), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (normalizer is null)
                {
                    pending.Write(readBuffer.AsSpan(0, read));
                }
                else
                {
                    normalizer.Normalize(readBuffer.AsSpan(0, read), pending);
                }

                // Strictly more than a chunk pending: this chunk cannot be the last one.
                while (pending.Count > ChunkSize)
                {
                    yield return new BdatChunk(pending.WrittenMemory[..ChunkSize], IsLast: false);
                    pending.DiscardFront(ChunkSize);
                }
            }

            yield return new BdatChunk(pending.WrittenMemory, IsLast: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(readBuffer);
        }
    }
}
