using System.Buffers;

namespace MailActors.Transport;

/// <summary>What a <see cref="IReplyReader"/> made of the bytes it was offered.</summary>
internal enum ReadProgress
{
    /// <summary>The reply is not whole yet; offer more bytes when they arrive.</summary>
    NeedMore,

    /// <summary>The reply is whole; <see cref="IReplyReader.Deliver"/> may run.</summary>
    Complete,

    /// <summary>The reader took what it could and must not be offered more until <see cref="WireChannel.Release"/>
    /// (it is handing content to a slower consumer: backpressure).</summary>
    Hold,
}

/// <summary>
/// Reads one expected reply off the wire for a <see cref="WireChannel"/>: an SMTP reply, a POP3 status line, or a
/// status line with its multi-line body. Readers are offered the received bytes in the order they were expected.
/// </summary>
internal interface IReplyReader
{
    /// <summary>Consumes what belongs to this reply from <paramref name="buffer"/> (advancing it) and says how far it got.</summary>
    /// <exception cref="MailActors.Protocol.MailProtocolException">The server broke the protocol; the session ends.</exception>
    ReadProgress Read(ref ReadOnlySequence<byte> buffer);

    /// <summary>
    /// True once the reader is past its status line and streaming a multi-line body (POP3 RETR, TOP, listings). Until
    /// then the reply timeout bounds the whole wait for the reply; from then on it bounds each wait for more bytes, since
    /// a large body over a slow link legitimately takes longer than the timeout.
    /// </summary>
    bool InBody => false;

    /// <summary>Hands the finished reply to whoever expected it; runs on the actor after the buffer was released.</summary>
    void Deliver();

    /// <summary>
    /// The reply will never come (the server announced it is closing, see <see cref="WireChannel.AbandonPending"/>):
    /// hands <paramref name="cause"/> to whoever expected it instead. Readers of protocols without such a
    /// notice ignore it.
    /// </summary>
    void Abandon(object cause)
    {
    }
}
