namespace MailActors;

/// <summary>
/// The request needs an extension the server did not advertise (8-bit content without 8BITMIME, a UTF-8 address
/// without SMTPUTF8, DSN parameters without DSN, a message over the advertised SIZE...). Nothing was sent.
/// </summary>
public class MailNotSupportedException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public MailNotSupportedException(string extension, string message) : base(message) => Extension = extension;

    /// <summary>The extension keyword that was missing (for example <c>8BITMIME</c>).</summary>
    public string Extension { get; }
}
