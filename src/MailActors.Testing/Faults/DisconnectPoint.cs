namespace MailActors.Testing;

/// <summary>When a <see cref="FaultAction.Disconnect(DisconnectPoint)"/> fault closes the connection.</summary>
public enum DisconnectPoint
{
    /// <summary>Close without carrying out the command and without replying to it (replies to earlier pipelined commands are still sent).</summary>
    BeforeReply,

    /// <summary>
    /// Carry out the command (an end-of-data step records the message), then close without sending its reply:
    /// the "accepted but the client never heard" case that makes clients deliver twice.
    /// </summary>
    AfterExecutingWithoutReply,

    /// <summary>Carry out the command, send its reply, then close.</summary>
    AfterReply,
}
