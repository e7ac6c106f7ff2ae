namespace MailActors;

/// <summary>
/// A command is not legal in the session's current protocol state (for example RCPT before MAIL, or any
/// command after QUIT). It was refused without touching the wire.
/// </summary>
public class MailStateException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public MailStateException(string command, string state)
        : base($"{command} is not allowed in state {state}")
    {
        Command = command;
        State = state;
    }

    /// <summary>The refused command.</summary>
    public string Command { get; }

    /// <summary>The state the session was in.</summary>
    public string State { get; }
}
