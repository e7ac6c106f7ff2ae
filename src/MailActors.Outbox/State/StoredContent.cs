namespace MailActors.Outbox.State;

/// <summary>
/// The content of an unfinished message and the journal row that holds it. Snapshots record only that row's sequence
/// number, so their size does not grow with message sizes; the row is kept (not deleted by the cleanup after a
/// snapshot) until the message finishes or its content is restated in a newer row. The bytes are read back from the row
/// (<see cref="Actors.ContentLoader"/>) after a restart, and after a long deferral dropped them from memory (<see cref="Evict"/>),
/// before the message is sent again.
/// </summary>
internal sealed class StoredContent
{
    private StoredContent(ReadOnlyMemory<byte> bytes, int length, long sequenceNr, bool loaded)
    {
        Bytes = bytes;
        Length = length;
        SequenceNr = sequenceNr;
        IsLoaded = loaded;
    }

    /// <summary>The bytes; empty while <see cref="IsLoaded"/> is false.</summary>
    public ReadOnlyMemory<byte> Bytes { get; private set; }

    /// <summary>The content's length in octets, known even before the bytes are loaded.</summary>
    public int Length { get; }

    /// <summary>The journal row that holds the bytes; 0 when no row does (they live in the snapshot itself).</summary>
    public long SequenceNr { get; private set; }

    /// <summary>False after a restart or an eviction until the bytes are read back from the journal.</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>Content just journaled in row <paramref name="sequenceNr"/>.</summary>
    public static StoredContent Journaled(ReadOnlyMemory<byte> bytes, long sequenceNr) => new(bytes, bytes.Length, sequenceNr, true);

    /// <summary>Content held by a snapshot itself (no journal row).</summary>
    public static StoredContent Inline(ReadOnlyMemory<byte> bytes) => new(bytes, bytes.Length, 0, true);

    /// <summary>Content a snapshot refers to: to be read back from row <paramref name="sequenceNr"/>.</summary>
    public static StoredContent InJournal(long sequenceNr, int length) => new(ReadOnlyMemory<byte>.Empty, length, sequenceNr, false);

    /// <summary>The bytes read back from the journal row.</summary>
    public void Load(ReadOnlyMemory<byte> bytes)
    {
        Bytes = bytes;
        IsLoaded = true;
    }

    /// <summary>Drops the bytes from memory; false (and nothing dropped) unless a journal row holds them to read back.</summary>
    public bool Evict()
    {
        if (!IsLoaded || SequenceNr <= 0)
        {
            return false;
        }
        Bytes = ReadOnlyMemory<byte>.Empty;
        IsLoaded = false;
        return true;
    }

    /// <summary>The content was journaled again in row <paramref name="sequenceNr"/>, so older rows can go.</summary>
    public void MovedTo(long sequenceNr, ReadOnlyMemory<byte> bytes)
    {
        SequenceNr = sequenceNr;
        Load(bytes);
    }
}
