using MailActors.Protocol.Pop3;

namespace MailActors;

/// <summary>
/// The POP3 server answered <c>-ERR</c>: to the greeting, a login command (USER, PASS, APOP, AUTH) or any transaction
/// command. Carries the response with its text and its extended response code (RFC 2449 §8, RFC 3206), such as
/// <c>IN-USE</c>, <c>LOGIN-DELAY</c>, <c>AUTH</c> or <c>SYS/TEMP</c>. The session stays usable except after a refused
/// greeting or QUIT.
/// </summary>
public class Pop3CommandException : Exception
{
    /// <summary>Creates the exception for <paramref name="response"/> to <paramref name="command"/>.</summary>
    public Pop3CommandException(string command, Pop3Response response)
        : base($"{command} was refused: {response}")
    {
        ArgumentNullException.ThrowIfNull(response);
        Command = command;
        Response = response;
    }

    /// <summary>The verb of the refused command (for example <c>PASS</c>), or <c>greeting</c>.</summary>
    public string Command { get; }

    /// <summary>The server's response.</summary>
    public Pop3Response Response { get; }

    /// <summary>The extended response code without brackets (<c>IN-USE</c>, <c>SYS/TEMP</c>...), or null when none was sent.</summary>
    public string? ResponseCode => Response.ResponseCode;

    /// <summary>The server's text without the response code.</summary>
    public string ServerText => Response.MessageText;

    /// <summary>True when the refusal came from a login command (USER, PASS, APOP, AUTH).</summary>
    public bool IsAuthenticationFailure => Command is "USER" or "PASS" or "APOP" or "AUTH";

    /// <summary>
    /// True when trying again later may succeed: the mailbox is locked (<c>IN-USE</c>), the user logged in too recently
    /// (<c>LOGIN-DELAY</c>), or the server has a temporary problem (<c>SYS/TEMP</c>).
    /// </summary>
    public bool IsTransient =>
        Response.HasResponseCode(Pop3ResponseCode.InUse)
        || Response.HasResponseCode(Pop3ResponseCode.LoginDelay)
        || Response.HasResponseCode(Pop3ResponseCode.SystemTemporary);
}
