namespace MailActors.Cli.Commands;

/// <summary>
/// Which connect failures are TLS failures (exit code 29 of send and fetch). Decided by the exception's type and the
/// command it belongs to, never by its message: messages are written for people and their wording changes.
/// </summary>
internal static class TlsFailures
{
    /// <summary>
    /// True for STARTTLS/STLS refused or not offered when required, and for a failed handshake (implicit or after the
    /// server's go-ahead) whatever its cause: an untrusted certificate, no common protocol, a reply that is not TLS, a
    /// connection dropped or a handshake timed out. The library marks the handshake failures itself because only it
    /// knows which step was running; the inner exception alone cannot tell (a timeout or a dropped connection is also
    /// how a plain connect fails).
    /// </summary>
    public static bool Includes(Exception error) => error switch
    {
        MailConnectException { IsTlsFailure: true } => true,
        SmtpCommandException { Command: "STARTTLS" } => true,
        Pop3CommandException { Command: "STLS" } => true,
        MailNotSupportedException { Extension: "STARTTLS" or "STLS" } => true,
        _ => false,
    };
}
