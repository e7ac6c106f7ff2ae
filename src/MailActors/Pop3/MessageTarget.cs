namespace MailActors.Pop3;

/// <summary>Where the content of a RETR or TOP goes.</summary>
public abstract record MessageTarget
{
    private MessageTarget()
    {
    }

    /// <summary>Collected in memory and returned in the reply (bounded by <c>Pop3ParserOptions.MaxResponseBytes</c>).</summary>
    public static MessageTarget InMemory { get; } = new Memory();

    /// <summary>Handed to the requester as a stream that yields the content as it arrives (Net::POP3 <c>getfh</c>).</summary>
    public static MessageTarget Streamed { get; } = new Streaming();

    /// <summary>Written to <paramref name="destination"/> as it arrives, with the session waiting for each write (backpressure).
    /// The stream is neither flushed to disk nor disposed.</summary>
    public static MessageTarget ToStream(Stream destination) => new Destination(destination ?? throw new ArgumentNullException(nameof(destination)));

    internal sealed record Memory : MessageTarget;

    internal sealed record Streaming : MessageTarget;

    internal sealed record Destination(Stream Stream) : MessageTarget;
}
