using System.Buffers;

namespace MailActors.Testing;

/// <summary>
/// Accumulates the content of one message as it arrives: always counts the bytes, keeps them (in pooled memory) only
/// when recording, and stops keeping them once a size limit is exceeded (the rest is still counted and discarded).
/// </summary>
internal sealed class MessageBuffer : IDisposable
{
    private byte[]? _bytes;
    private int _stored;

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

    /// <summary>A copy of the kept bytes, sized exactly.</summary>
    public byte[] ToArray() => _bytes is null ? [] : _bytes.AsSpan(0, _stored).ToArray();

    public void Reset()
    {
        ReturnBuffer();
        Length = 0;
    }

    public void Dispose() => ReturnBuffer();

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
}
