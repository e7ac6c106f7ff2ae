using MailActors.Protocol.Smtp;

namespace MailActors;

/// <summary>
/// The server answered a command with a negative reply (4xx or 5xx). The session stays usable.
/// </summary>
public class SmtpCommandException : Exception
{
    /// <summary>Creates the exception for <paramref name="reply"/> to <paramref name="command"/>.</summary>
    public SmtpCommandException(string command, SmtpReply reply)
        : base($"{command} was refused: {reply.Code} {reply.Text}")
    {
        Command = command;
        Reply = reply;
    }

    /// <summary>The verb of the refused command (for example <c>MAIL</c>).</summary>
    public string Command { get; }

    /// <summary>The server's reply, with its enhanced status code when the server sent one.</summary>
    public SmtpReply Reply { get; }

    /// <summary>True for a 4xx reply: trying again later may succeed.</summary>
    public bool IsTransient => Reply.IsTransientNegative;
}
