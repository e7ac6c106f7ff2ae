using MailActors.Smtp;

namespace MailActors.Delivery;

/// <summary>Reads a <see cref="MessageContent"/> whole, for callers that must keep a copy (a durable outbox journals it).</summary>
public static class MessageContentReader
{
    /// <summary>
    /// The content's octets: the bytes themselves when held in memory, otherwise the stream read to its end (and disposed).
    /// </summary>
    /// <param name="content">The content.</param>
    /// <param name="maxLength">Longest content accepted; longer content throws <see cref="InvalidDataException"/> as soon as the limit is passed.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="InvalidDataException">The content is longer than <paramref name="maxLength"/>.</exception>
    public static async Task<ReadOnlyMemory<byte>> ReadAllAsync(MessageContent content, long maxLength = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.IsInMemory)
        {
            return content.Bytes.Length > maxLength ? throw TooLong(content.Bytes.Length, maxLength) : content.Bytes;
        }
        if (content.Length is { } declared && declared > maxLength)
        {
            throw TooLong(declared, maxLength);
        }
        var stream = content.Open();
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream(content.Length is { } known && known < int.MaxValue ? (int)known : 0);
            var block = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(block, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxLength)
                {
                    throw TooLong(buffer.Length + read, maxLength);
                }
                buffer.Write(block, 0, read);
            }
            return buffer.ToArray();
        }
    }

    private static InvalidDataException TooLong(long length, long maxLength) =>
        new($"The message is at least {length} octets, over the limit of {maxLength}.");
}
