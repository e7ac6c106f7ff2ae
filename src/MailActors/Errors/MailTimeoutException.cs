namespace MailActors;

/// <summary>
/// The server did not answer within the command timeout, or a transaction outlived its deadline.
/// The session is closed: after a timeout nobody knows what state the server is in.
/// </summary>
public class MailTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public MailTimeoutException(string message) : base(message) { }
}
