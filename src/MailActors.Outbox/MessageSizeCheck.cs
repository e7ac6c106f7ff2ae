using MailActors.Smtp;

namespace MailActors.Outbox;

/// <summary>
/// A route's max-message-size against the size the session checks against the server's SIZE limit: the message as DATA
/// transmits it (CRLF line endings, and the CRLF DATA adds to unterminated content), not the octets the outbox stores.
/// Content of bare-LF lines within the limit as stored grew past it when sent, so it was journaled and then refused by
/// the session as a permanent failure.
/// </summary>
internal static class MessageSizeCheck
{
    /// <summary>
    /// Before reading: content in memory by its size as transmitted (worked out once, and kept for the session), a stream
    /// by the length it declares, as the session would declare it. Null when within <paramref name="maxSize"/>.
    /// </summary>
    public static string? BeforeReading(MessageContent content, long maxSize)
    {
        if (content.IsInMemory)
        {
            var transmitted = content.TransmittedLength() ?? content.Bytes.Length;
            return transmitted > maxSize ? AsTransmitted(transmitted, $"{content.Bytes.Length} as given", maxSize) : null;
        }
        return content.Length is { } declared && declared > maxSize
            ? $"The message is {declared} octets by the length its stream declares, over the limit of {maxSize}."
            : null;
    }

    /// <summary>
    /// After reading a stream: the octets read are what the outbox stores and every attempt sends as content in memory,
    /// so their size as transmitted is what the session will check, whatever length the stream declared. Null when
    /// within <paramref name="maxSize"/> (and for content in memory, checked before reading).
    /// </summary>
    public static string? AfterReading(MessageContent content, ReadOnlyMemory<byte> stored, long maxSize)
    {
        if (content.IsInMemory)
        {
            return null;
        }
        var transmitted = MessageContent.FromBytes(stored).TransmittedLength() ?? stored.Length;
        return transmitted > maxSize ? AsTransmitted(transmitted, $"{stored.Length} as read from its stream", maxSize) : null;
    }

    private static string AsTransmitted(long transmitted, string stored, long maxSize) =>
        $"The message is {transmitted} octets as transmitted (line endings as CRLF, as DATA sends it; {stored}), over the limit of {maxSize}.";
}
