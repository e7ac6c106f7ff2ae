namespace MailActors.Protocol.Smtp;

/// <summary>
/// The RCPT TO <c>NOTIFY=</c> value (RFC 3461): when to send a delivery status notification. Either
/// <see cref="Never"/> alone, or any combination of <see cref="Success"/>, <see cref="Failure"/> and <see cref="Delay"/>.
/// </summary>
[Flags]
public enum DsnNotify
{
    /// <summary>No NOTIFY parameter: the server's default (usually failures only).</summary>
    None = 0,

    /// <summary><c>NEVER</c>: no DSN under any condition. Cannot be combined.</summary>
    Never = 1,

    /// <summary><c>SUCCESS</c>: on successful delivery.</summary>
    Success = 2,

    /// <summary><c>FAILURE</c>: on failed delivery.</summary>
    Failure = 4,

    /// <summary><c>DELAY</c>: when delivery is unusually delayed.</summary>
    Delay = 8,
}
