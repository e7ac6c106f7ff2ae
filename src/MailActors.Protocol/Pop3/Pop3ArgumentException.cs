namespace MailActors.Protocol.Pop3;

/// <summary>
/// A POP3 command argument cannot be sent as given: it contains CR, LF or NUL (which would let it smuggle a second
/// command onto the wire), is empty where a value is required, or breaks the argument's syntax.
/// Thrown while the command is being built, before anything is written.
/// </summary>
public class Pop3ArgumentException : MailArgumentException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public Pop3ArgumentException()
        : base("The POP3 command argument is not valid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the argument is invalid.</param>
    public Pop3ArgumentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">Why the argument is invalid.</param>
    /// <param name="innerException">The underlying cause.</param>
    public Pop3ArgumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message and the name of the offending parameter.</summary>
    /// <param name="message">Why the argument is invalid.</param>
    /// <param name="paramName">The parameter that held the invalid value.</param>
    public Pop3ArgumentException(string message, string paramName)
        : base(message, paramName)
    {
    }
}
