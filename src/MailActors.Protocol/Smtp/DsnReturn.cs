namespace MailActors.Protocol.Smtp;

/// <summary>The MAIL FROM <c>RET=</c> value (RFC 3461): how much of the message a failure DSN should return.</summary>
public enum DsnReturn
{
    /// <summary><c>RET=FULL</c>: the whole message.</summary>
    Full,

    /// <summary><c>RET=HDRS</c>: the headers only.</summary>
    Headers,
}
