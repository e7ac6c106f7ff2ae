using System.Buffers;

namespace MailActors.Testing;

/// <summary>
/// Accumulates the content of one message as it arrives: always counts the bytes, keeps them (in pooled memory) only
/// when recording, and stops keeping them once a size limit is exceeded (the rest is still counted and discarded).
/// As an <see cref="IBufferWriter{T}"/> it is what a decoder writes into; bytes it does not keep go to a scratch buffer.
/// </summary>
internal sealed class MessageBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[]? _bytes;
    private byte[]? _scratch;
    private int _stored;
    private bool _keepingWrite;

    /// <summary>Whether bytes are kept (recording) or only counted (benchmarks).</summary>
    public bool Store { get; set; }

    /// <summary>The size limit in bytes; <see langword="null"/> = none.</summary>
    public long? Limit { get; set; }

    /// <summary>All bytes appended since the last <see cref="Reset"/>, kept or not.</summary>
    public long Length { get; private set; }

    /// <summary>Whether <see cref="Length"/> went over <see cref="Limit"/>.</summary>
    public bool LimitExceeded => Limit is { } limit && Length > limit;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        Length += bytes.Length;
        if (!Store || LimitExceeded)
        {
            return;
        }

        EnsureCapacity(_stored + bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(_stored));
        _stored += bytes.Length;
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var size = Math.Max(sizeHint, 1);
        _keepingWrite = Store && !LimitExceeded;
        if (_keepingWrite)
        {
            EnsureCapacity(_stored + size);
            return _bytes.AsMemory(_stored);
        }

        if (_scratch is null || _scratch.Length < size)
        {
            ReturnScratch();
            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(size, 4096));
        }

        return _scratch;
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        Length += count;
        if (_keepingWrite)
        {
            _stored += count;
        }
    }

    /// <summary>A copy of the kept bytes, sized exactly.</summary>
    public byte[] ToArray() => _bytes is null ? [] : _bytes.AsSpan(0, _stored).ToArray();

    public void Reset()
    {
        ReturnBuffer();
        Length = 0;
    }

    public void Dispose()
    {
        ReturnBuffer();
        ReturnScratch();
    }

    private void EnsureCapacity(int needed)
    {
        if (_bytes is not null && _bytes.Length >= needed)
        {
            return;
        }

        var size = Math.Max(needed, Math.Max(4096, (_bytes?.Length ?? 0) * 2));
        var grown = ArrayPool<byte>.Shared.Rent(size);
        if (_bytes is not null)
        {
            _bytes.AsSpan(0, _stored).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_bytes);
        }

        _bytes = grown;
    }

    private void ReturnBuffer()
    {
        if (_bytes is not null)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = null;
        }

        _stored = 0;
    }

    private void ReturnScratch()
    {
        if (_scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }
    }
}
