namespace MailActors.Protocol.Pop3;

/// <summary>The status indicator that opens every POP3 server response line.</summary>
public enum Pop3StatusKind
{
    /// <summary><c>+OK</c>: the command succeeded (RFC 1939).</summary>
    Ok,

    /// <summary><c>-ERR</c>: the command failed (RFC 1939).</summary>
    Err,

    /// <summary><c>+ </c>: a SASL server challenge during <c>AUTH</c> (RFC 5034); the text is base64.</summary>
    Continuation,
}
