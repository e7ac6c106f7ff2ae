namespace MailActors.Protocol.Pop3;

/// <summary>
/// The POP3 server sent something that is not valid POP3: a line that is not <c>+OK</c>/<c>-ERR</c>/<c>+ </c>,
/// a line or response over the configured limits, or a listing that does not parse.
/// The session cannot continue safely after this.
/// </summary>
public class Pop3ProtocolException : MailProtocolException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public Pop3ProtocolException()
        : base("The POP3 server sent an invalid response.")
    {
    }

    /// <summary>Creates the exception with a message describing what was wrong.</summary>
    /// <param name="message">What the server sent and why it is invalid.</param>
    public Pop3ProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What the server sent and why it is invalid.</param>
    /// <param name="innerException">The underlying cause.</param>
    public Pop3ProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
