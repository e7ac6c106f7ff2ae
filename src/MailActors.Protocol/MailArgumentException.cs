namespace MailActors.Protocol;

/// <summary>
/// A caller-supplied value cannot be put on the wire: it contains CR, LF or NUL, or breaks the syntax of the command
/// argument it is meant for (a path, a domain, an ESMTP parameter...). Thrown before any byte is written, so the
/// session is still usable.
/// </summary>
public class MailArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the value was refused.</param>
    /// <param name="paramName">The name of the offending argument.</param>
    public MailArgumentException(string message, string paramName)
        : base(message, paramName)
    {
    }

    /// <summary>Creates the exception without naming the argument.</summary>
    /// <param name="message">Why the value was refused.</param>
    public MailArgumentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the cause.</summary>
    /// <param name="message">Why the value was refused.</param>
    /// <param name="innerException">The underlying cause.</param>
    public MailArgumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
