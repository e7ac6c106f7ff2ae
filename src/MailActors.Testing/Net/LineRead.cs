namespace MailActors.Testing;

/// <summary>Outcome of reading one protocol line.</summary>
internal enum LineReadStatus
{
    /// <summary>A complete line was read.</summary>
    Line,

    /// <summary>The line was longer than allowed; it has been consumed and discarded up to its end.</summary>
    TooLong,

    /// <summary>The peer closed the connection.</summary>
    EndOfStream,
}

/// <summary>One line read by <see cref="ProtocolChannel.ReadLineAsync"/>: the bytes (without CRLF) stay valid until the next read.</summary>
internal readonly record struct LineRead(LineReadStatus Status, ReadOnlyMemory<byte> Line);
