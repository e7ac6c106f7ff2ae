namespace MailActors.Testing;

/// <summary>
/// What a test server does instead of (or around) its normal handling of a protocol step when a
/// <see cref="FaultRule"/> fires. The set of actions is closed; create them with the static factory methods.
/// </summary>
public abstract record FaultAction
{
    private protected FaultAction()
    {
    }

    /// <summary>
    /// Send <paramref name="text"/> as the reply instead of carrying out the command, e.g. <c>"451 4.3.0 try later"</c>,
    /// <c>"550 5.7.1 no"</c>, <c>"-ERR [IN-USE] locked"</c>. The text is sent verbatim with CRLF appended; embedded CRLFs
    /// make a multi-line reply. An SMTP reply with code 421 also closes the connection, as RFC 5321 requires.
    /// </summary>
    public static FaultAction Reply(string text) => new ReplyFault(text);

    /// <summary>Close the connection at the given <paramref name="point"/>.</summary>
    public static FaultAction Disconnect(DisconnectPoint point) => new DisconnectFault(point);

    /// <summary>Close the connection without carrying out or answering the command.</summary>
    public static FaultAction DisconnectBeforeReply() => new DisconnectFault(DisconnectPoint.BeforeReply);

    /// <summary>Carry out and answer the command, then close the connection.</summary>
    public static FaultAction DisconnectAfterReply() => new DisconnectFault(DisconnectPoint.AfterReply);

    /// <summary>Wait <paramref name="duration"/> (after sending replies already due), then handle the command normally.</summary>
    public static FaultAction Delay(TimeSpan duration) => new DelayFault(duration);

    /// <summary>Never answer: keep the connection open, reading and discarding input, until the client goes away.</summary>
    public static FaultAction Tarpit() => new TarpitFault();

    /// <summary>Send <paramref name="bytes"/> verbatim instead of a reply; the command is not carried out.</summary>
    public static FaultAction Garbage(ReadOnlyMemory<byte> bytes) => new GarbageFault(bytes);

    /// <summary>Send <paramref name="text"/> (ASCII/UTF-8, sent verbatim, no CRLF added) instead of a reply.</summary>
    public static FaultAction Garbage(string text) => new GarbageFault(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Send one line of <paramref name="length"/> bytes (<c>'x'</c>, after a plausible reply prefix such as <c>"250 "</c>
    /// or <c>"+OK "</c>) followed by CRLF instead of a reply: for tests of a client's line-length limit.
    /// </summary>
    public static FaultAction OverlongLine(int length) => new OverlongLineFault(length);

    /// <summary>
    /// Start a multi-line reply and never finish it: SMTP sends <c>250-</c> continuation lines, POP3 sends <c>+OK</c>
    /// followed by content lines and never the terminating dot. With <paramref name="lineCount"/> the server stops after
    /// that many lines and waits for the client to go away; without it, it keeps writing for as long as the client reads.
    /// </summary>
    public static FaultAction UnterminatedMultiline(int? lineCount = null) => new UnterminatedMultilineFault(lineCount);
}

/// <summary>See <see cref="FaultAction.Reply(string)"/>.</summary>
/// <param name="Text">The reply sent in place of the normal one.</param>
public sealed record ReplyFault(string Text) : FaultAction;

/// <summary>See <see cref="FaultAction.Disconnect(DisconnectPoint)"/>.</summary>
/// <param name="Point">When the connection is closed.</param>
public sealed record DisconnectFault(DisconnectPoint Point) : FaultAction;

/// <summary>See <see cref="FaultAction.Delay(TimeSpan)"/>.</summary>
/// <param name="Duration">How long the server waits before handling the command.</param>
public sealed record DelayFault(TimeSpan Duration) : FaultAction;

/// <summary>See <see cref="FaultAction.Tarpit"/>.</summary>
public sealed record TarpitFault : FaultAction;

/// <summary>See <see cref="FaultAction.Garbage(ReadOnlyMemory{byte})"/>.</summary>
/// <param name="Bytes">The bytes sent in place of the reply.</param>
public sealed record GarbageFault(ReadOnlyMemory<byte> Bytes) : FaultAction;

/// <summary>See <see cref="FaultAction.OverlongLine(int)"/>.</summary>
/// <param name="Length">The number of bytes in the line before its CRLF.</param>
public sealed record OverlongLineFault(int Length) : FaultAction;

/// <summary>See <see cref="FaultAction.UnterminatedMultiline(int?)"/>.</summary>
/// <param name="LineCount">How many lines to send before stalling; <see langword="null"/> for an endless stream.</param>
public sealed record UnterminatedMultilineFault(int? LineCount) : FaultAction;
