namespace MailActors.Protocol.Sasl;

/// <summary>
/// A SASL exchange cannot continue: the server sent a malformed or forged challenge (for example a SCRAM nonce that does not
/// extend the client's, or a server signature that does not verify), or a challenge arrived when none was expected.
/// </summary>
public class SaslException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SaslException()
        : base("The SASL exchange failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public SaslException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public SaslException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
