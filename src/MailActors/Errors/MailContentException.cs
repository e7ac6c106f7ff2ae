namespace MailActors;

/// <summary>
/// Reading the message content failed part-way through DATA or BDAT. The session is closed without ending the
/// content, so the server discards the partial message: nothing half-written is ever delivered.
/// </summary>
public class MailContentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailContentException(string message, Exception inner) : base(message, inner) { }
}
