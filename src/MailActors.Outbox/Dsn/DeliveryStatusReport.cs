namespace MailActors.Outbox.Dsn;

/// <summary>The action a DSN reports for one recipient (RFC 3464 section 2.3.3).</summary>
public enum DsnAction
{
    /// <summary>Could not be delivered; the relaying stopped.</summary>
    Failed,
    /// <summary>Not delivered yet; still being tried.</summary>
    Delayed,
    /// <summary>Delivered.</summary>
    Delivered,
    /// <summary>Passed on to a system that does not send DSNs.</summary>
    Relayed,
    /// <summary>Delivered and forwarded to further recipients.</summary>
    Expanded,
}

/// <summary>One per-recipient block of a DSN.</summary>
/// <param name="OriginalRecipient">The <c>Original-Recipient</c> address (from the ORCPT we sent), without its type.</param>
/// <param name="FinalRecipient">The <c>Final-Recipient</c> address, without its type.</param>
/// <param name="Action">What happened.</param>
/// <param name="Status">The enhanced status code, e.g. <c>5.1.1</c>.</param>
/// <param name="DiagnosticCode">The <c>Diagnostic-Code</c> text, e.g. <c>smtp; 550 5.1.1 no such user</c>.</param>
/// <param name="RemoteMta">The <c>Remote-MTA</c>, if given.</param>
public sealed record DsnRecipientReport(string? OriginalRecipient, string FinalRecipient, DsnAction Action, string Status, string? DiagnosticCode, string? RemoteMta);

/// <summary>A parsed RFC 3464 delivery status notification.</summary>
/// <param name="EnvelopeId">The <c>Original-Envelope-Id</c> (the ENVID the message was sent with).</param>
/// <param name="ReportingMta">The <c>Reporting-MTA</c>.</param>
/// <param name="Recipients">The per-recipient blocks.</param>
public sealed record DeliveryStatusReport(string? EnvelopeId, string? ReportingMta, IReadOnlyList<DsnRecipientReport> Recipients);

/// <summary>What applying a DSN changed.</summary>
/// <param name="MessageId">The outbox message it was about, if one was found.</param>
/// <param name="Bounced">Recipients now marked bounced.</param>
/// <param name="Suppressed">Addresses put on the suppression list.</param>
public sealed record DsnApplyResult(string? MessageId, IReadOnlyList<string> Bounced, IReadOnlyList<string> Suppressed)
{
    /// <summary>True when the DSN matched an outbox message.</summary>
    public bool Matched => MessageId is not null;
}
