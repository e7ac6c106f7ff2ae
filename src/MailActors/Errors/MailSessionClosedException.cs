namespace MailActors;

/// <summary>The session is closed: the server hung up, QUIT completed, or an earlier error ended it.</summary>
public class MailSessionClosedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailSessionClosedException(string message, Exception? inner = null) : base(message, inner) { }
}
