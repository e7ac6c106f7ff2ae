namespace MailActors.Protocol;

/// <summary>
/// The server sent something that is not the protocol: garbage bytes, an over-long line, too many lines in one reply,
/// a malformed reply code. A session that sees this cannot trust its framing any more and must end.
/// </summary>
public class MailProtocolException : Exception
{
    /// <summary>Creates the exception with a message describing what the server sent.</summary>
    /// <param name="message">What was wrong, including a short, escaped excerpt of the offending data.</param>
    public MailProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that revealed the violation.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="inner">The underlying failure.</param>
    public MailProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
