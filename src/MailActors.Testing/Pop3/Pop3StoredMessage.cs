namespace MailActors.Testing;

/// <summary>One message in a <see cref="Pop3Mailbox"/>.</summary>
/// <param name="Uid">The unique id UIDL reports (1 to 70 printable ASCII characters).</param>
/// <param name="Content">The message bytes as served (CRLF line endings expected; served dot-stuffed).</param>
public sealed record Pop3StoredMessage(string Uid, ReadOnlyMemory<byte> Content)
{
    /// <summary>The size LIST and STAT report, in octets.</summary>
    public long Size => Content.Length;

    /// <summary>The Maildir file the message came from, if any; deleted when a session commits the message's deletion.</summary>
    public string? FilePath { get; init; }
}
