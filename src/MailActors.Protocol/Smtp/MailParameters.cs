namespace MailActors.Protocol.Smtp;

/// <summary>
/// ESMTP parameters of a MAIL FROM command. Unset members are not sent. They are written in this fixed order:
/// SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH, TRANSID, XVERP, then <see cref="Extra"/> as given.
/// Whether the server announced the matching extension is the session's business, not checked here.
/// </summary>
public sealed record MailParameters
{
    /// <summary><c>SIZE=n</c> (RFC 1870): the message size in bytes, at least 0.</summary>
    public long? Size { get; init; }

    /// <summary><c>RET=FULL|HDRS</c> (RFC 3461).</summary>
    public DsnReturn? Return { get; init; }

    /// <summary><c>BODY=7BIT|8BITMIME|BINARYMIME</c> (RFC 6152, RFC 3030).</summary>
    public BodyType? Body { get; init; }

    /// <summary>
    /// <c>ENVID=</c> (RFC 3461): the envelope identifier as plain text; it is xtext-encoded on the wire.
    /// Exclusive with <see cref="EnvelopeIdRaw"/>.
    /// </summary>
    public string? EnvelopeId { get; init; }

    /// <summary>
    /// <c>ENVID=</c> already xtext-encoded (Net::SMTP's <c>ENVID</c> option), sent as is after a check that it is
    /// xtext: printable ASCII other than <c>=</c>, with <c>+</c> followed by two hex digits. Unlike decoding and encoding
    /// again, this keeps octets that are not UTF-8 (<c>+E9</c>). Exclusive with <see cref="EnvelopeId"/>.
    /// </summary>
    public string? EnvelopeIdRaw { get; init; }

    /// <summary>
    /// <c>AUTH=</c> (RFC 4954): the submitter mailbox as plain text (angle brackets optional), xtext-encoded on the
    /// wire; "" or <c>&lt;&gt;</c> sends <c>AUTH=&lt;&gt;</c> (submitter unknown). Exclusive with <see cref="AuthRaw"/>.
    /// </summary>
    public string? Auth { get; init; }

    /// <summary>
    /// <c>AUTH=</c> already xtext-encoded (Net::SMTP's <c>AUTH</c> option), or <c>&lt;&gt;</c>; sent as is after the
    /// check <see cref="EnvelopeIdRaw"/> has. Exclusive with <see cref="Auth"/>.
    /// </summary>
    public string? AuthRaw { get; init; }

    /// <summary><c>XVERP</c> (Postfix): ask for variable envelope return paths.</summary>
    public bool Xverp { get; init; }

    /// <summary><c>SMTPUTF8</c> (RFC 6531): the envelope or headers carry UTF-8.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary><c>TRANSID=&lt;id&gt;</c> (RFC 1845 CHECKPOINT): a unique <c>local@domain</c> id, angle brackets optional.</summary>
    public string? TransactionId { get; init; }

    /// <summary>
    /// Further parameters passed through after the known ones: <c>KEYWORD</c> or <c>KEYWORD=value</c>
    /// (RFC 5321 esmtp-param syntax; UTF-8 allowed in the value). A keyword may not repeat one already sent.
    /// </summary>
    public IReadOnlyList<string> Extra { get; init; } = [];
}
