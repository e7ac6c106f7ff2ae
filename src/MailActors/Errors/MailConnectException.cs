namespace MailActors;

/// <summary>No host in the host list could be reached, or the TLS handshake with it failed.</summary>
public class MailConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailConnectException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>
    /// True when the connection was up and the TLS handshake on it failed: implicit TLS, or the handshake after the
    /// server accepted STARTTLS/STLS. The cause is the inner exception (a certificate that failed validation, no common
    /// protocol, a reply that is not TLS, the connection dropped or the handshake timed out). When several hosts were
    /// tried, it describes the last one.
    /// </summary>
    public bool IsTlsFailure { get; init; }
}
