namespace MailActors.Protocol.Smtp;

/// <summary>ESMTP parameters of a RCPT TO command (RFC 3461 DSN), written as NOTIFY then ORCPT.</summary>
public sealed record RecipientParameters
{
    /// <summary><c>NOTIFY=</c>: <see cref="DsnNotify.Never"/> alone or a combination of the other flags;
    /// <see cref="DsnNotify.None"/> sends nothing.</summary>
    public DsnNotify Notify { get; init; }

    /// <summary>
    /// The original recipient address as plain text (angle brackets optional). Sent as <c>ORCPT=rfc822;</c> plus
    /// its xtext, or, when it holds non-ASCII characters, as <c>ORCPT=utf-8;</c> plus its RFC 6533
    /// utf-8-addr-xtext. Exclusive with <see cref="OriginalRecipientRaw"/>.
    /// </summary>
    public string? OriginalRecipient { get; init; }

    /// <summary>
    /// A pre-encoded ORCPT value <c>addr-type;xtext</c>, sent as is after a syntax check (Net::SMTP's ORcpt option).
    /// Exclusive with <see cref="OriginalRecipient"/>.
    /// </summary>
    public string? OriginalRecipientRaw { get; init; }
}
