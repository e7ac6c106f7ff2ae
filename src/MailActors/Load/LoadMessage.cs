using System.Buffers;
using MailActors.Smtp;

namespace MailActors.Load;

/// <summary>One generated message: its number, envelope and content (per-message headers over a shared body).</summary>
/// <param name="Number">The message number (1, 2, ...).</param>
/// <param name="Sender">Envelope sender.</param>
/// <param name="Recipients">Envelope recipients.</param>
/// <param name="Content">Headers and body.</param>
/// <param name="Length">Octets of content (what a sink counts after dot-unstuffing).</param>
public sealed record LoadMessage(long Number, string Sender, IReadOnlyList<SmtpSession.TransactionRecipient> Recipients, MessageContent Content, long Length)
{
    /// <summary>The pooled buffer holding <see cref="Content"/>, when it is one.</summary>
    internal byte[]? PooledBuffer { get; init; }

    /// <summary>
    /// Gives the content's pooled buffer back once the session has answered for the message (its bytes are on the wire
    /// and nothing reads them any more). Not called after a session failure, when a cut-off write might still hold it:
    /// the buffer is then simply left to the garbage collector.
    /// </summary>
    public void Release()
    {
        if (PooledBuffer is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
