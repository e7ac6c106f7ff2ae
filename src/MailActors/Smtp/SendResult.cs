using MailActors.Protocol.Smtp;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

/// <summary>What happened to one message: each recipient's reply and the reply to the content.</summary>
/// <param name="MailReply">Reply to MAIL FROM.</param>
/// <param name="Accepted">Recipients the server took, with their RCPT replies.</param>
/// <param name="Refused">Recipients the server refused, with the reply that refused them.</param>
/// <param name="DataReply">Reply after the content; null when the content was not sent.</param>
public sealed record SendResult(SmtpReply MailReply, IReadOnlyList<RecipientReply> Accepted, IReadOnlyList<RecipientReply> Refused, SmtpReply? DataReply)
{
    /// <summary>True when the server took responsibility for the message for every accepted recipient (at least one).</summary>
    public bool Sent => Accepted.Count > 0 && DataReply is { IsPositiveCompletion: true };

    /// <summary>Builds the result from a session's transaction result.</summary>
    public static SendResult From(TransactionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new SendResult(
            result.MailReply,
            result.Recipients.Where(r => r.Accepted).ToArray(),
            result.Recipients.Where(r => !r.Accepted).ToArray(),
            result.DataReply);
    }
}

/// <summary>Options for <see cref="SmtpClient.SendMessageAsync"/>.</summary>
public sealed record SendMessageOptions
{
    /// <summary>Envelope sender; taken from the headers when null.</summary>
    public string? Sender { get; init; }

    /// <summary>Envelope recipients; taken from the headers when null.</summary>
    public IReadOnlyList<string>? Recipients { get; init; }

    /// <summary>DSN: NOTIFY for every recipient.</summary>
    public DsnNotify Notify { get; init; }

    /// <summary>DSN: RET.</summary>
    public DsnReturn? Return { get; init; }

    /// <summary>DSN: ENVID (raw; xtext-encoded on the wire).</summary>
    public string? EnvelopeId { get; init; }
}
