using System.Buffers;

namespace MailActors.Protocol;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool, with room reclaimed by
/// <see cref="DiscardFront"/>. Fill it, hand <see cref="WrittenMemory"/> to a stream, and <see cref="Dispose"/> it once
/// the write completed: at high message rates this saves the per-message allocations that otherwise dominate CPU.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _count;

    /// <summary>Rents a first buffer of at least <paramref name="initialCapacity"/> bytes (256 at least).</summary>
    public PooledBufferWriter(int initialCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>Bytes written so far.</summary>
    public int Count => _count;

    /// <summary>The bytes written so far; valid until the next write or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _count);

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _count);
        _count += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsMemory(_count);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsSpan(_count);
    }

    /// <summary>Drops the first <paramref name="count"/> written bytes, moving the rest to the front.</summary>
    public void DiscardFront(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _count);
        _buffer.AsSpan(count, _count - count).CopyTo(_buffer);
        _count -= count;
    }

    /// <summary>Returns the buffer to the pool; the writer cannot be used afterwards.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _count = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureRoom(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _count >= needed)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(checked(Math.Max(_buffer.Length * 2, _count + needed)));
        _buffer.AsSpan(0, _count).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
