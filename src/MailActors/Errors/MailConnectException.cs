namespace MailActors;

/// <summary>No host in the host list could be reached, or the TLS handshake with it failed.</summary>
public class MailConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailConnectException(string message, Exception? inner = null) : base(message, inner) { }
}
