using CsCheck;
using MailActors.Protocol.Smtp.Data;
using static MailActors.Protocol.Tests.Data.DataTestHelpers;

namespace MailActors.Protocol.Tests.Data;

public class BdatChunkerTests
{
    private static async Task<List<(byte[] Data, bool IsLast)>> ChunkAsync(BdatChunker chunker, Stream content)
    {
        var chunks = new List<(byte[], bool)>();
        await foreach (var chunk in chunker.ChunkAsync(content))
        {
            chunks.Add((chunk.Data.ToArray(), chunk.IsLast)); // copied: the memory is only valid until the next MoveNext
        }

        return chunks;
    }

    [Fact]
    public async Task Empty_content_is_one_empty_last_chunk()
    {
        var chunks = await ChunkAsync(new BdatChunker(10), new MemoryStream());

        var only = Assert.Single(chunks);
        Assert.Empty(only.Data);
        Assert.True(only.IsLast);
    }

    [Theory]
    [InlineData(1, 10, new[] { 1 })]
    [InlineData(9, 10, new[] { 9 })]
    [InlineData(10, 10, new[] { 10 })]
    [InlineData(11, 10, new[] { 10, 1 })]
    [InlineData(20, 10, new[] { 10, 10 })]
    [InlineData(25, 10, new[] { 10, 10, 5 })]
    [InlineData(5, 1, new[] { 1, 1, 1, 1, 1 })]
    public async Task Chunks_are_full_except_the_last_which_carries_the_LAST_flag(int length, int chunkSize, int[] expectedSizes)
    {
        var content = Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26))).ToArray();

        var chunks = await ChunkAsync(new BdatChunker(chunkSize), new MemoryStream(content));

        Assert.Equal(expectedSizes, chunks.Select(c => c.Data.Length));
        Assert.Equal([.. Enumerable.Repeat(false, chunks.Count - 1), true], chunks.Select(c => c.IsLast));
        Assert.Equal(content, chunks.SelectMany(c => c.Data));
    }

    [Fact]
    public async Task Line_endings_are_normalised_but_dots_are_not_stuffed()
    {
        var chunks = await ChunkAsync(new BdatChunker(4), new MemoryStream(Bytes(".a\nb\r.\r\n")));

        Assert.Equal(".a\r\nb\r\n.\r\n", Text(chunks.SelectMany(c => c.Data).ToArray()));
        Assert.Equal([4, 4, 2], chunks.Select(c => c.Data.Length));
    }

    [Fact]
    public async Task Without_normalisation_the_bytes_pass_unchanged()
    {
        var content = Bytes("a\nb\r\0\u00ff");

        var chunks = await ChunkAsync(new BdatChunker(3, normalizeLineEndings: false), new MemoryStream(content));

        Assert.Equal(content, chunks.SelectMany(c => c.Data));
        Assert.Equal([3, 3], chunks.Select(c => c.Data.Length));
    }

    [Fact]
    public async Task Any_content_read_in_any_pieces_chunks_into_the_normalised_content()
    {
        await Gen.Select(Content, Gen.Int[1, 16], Gen.Int[1, 7]).SampleAsync(
            async (content, chunkSize, readSize) =>
            {
                var chunks = await ChunkAsync(new BdatChunker(chunkSize), new TrickleStream(content, readSize));

                Assert.Equal(NormalizeReference(content), chunks.SelectMany(c => c.Data));
                Assert.All(chunks[..^1], c => Assert.Equal(chunkSize, c.Data.Length));
                Assert.InRange(chunks[^1].Data.Length, content.Length == 0 ? 0 : 1, chunkSize);
                Assert.Equal(1, chunks.Count(c => c.IsLast));
                Assert.True(chunks[^1].IsLast);
            },
            iter: 500);
    }

    [Fact]
    public async Task Cancellation_stops_reading()
    {
        using var cts = new CancellationTokenSource();
        var chunker = new BdatChunker(2);
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in chunker.ChunkAsync(new TrickleStream(new byte[100], 1), cts.Token))
            {
                seen++;
                await cts.CancelAsync();
            }
        });

        Assert.Equal(1, seen);
    }

    [Fact]
    public void A_chunk_size_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BdatChunker(0));
    }

    /// <summary>A read-only stream that returns at most a few bytes per read, like a slow socket.</summary>
    private sealed class TrickleStream(byte[] content, int maxRead) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, maxRead), content.Length - _position);
            content.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
