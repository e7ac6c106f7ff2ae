namespace MailActors;

/// <summary>
/// Authentication failed, no usable mechanism was offered, or credentials would have crossed a cleartext
/// connection without the caller opting in.
/// </summary>
public class MailAuthenticationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailAuthenticationException(string message, Exception? inner = null) : base(message, inner) { }
}
