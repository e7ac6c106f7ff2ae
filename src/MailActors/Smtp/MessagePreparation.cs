using MailActors.Protocol.Smtp;
using MimeKit;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

/// <summary>Turns a <see cref="MimeMessage"/> into a <see cref="Transaction"/> that fits what the server offers.</summary>
internal static class MessagePreparation
{
    public sealed record Plan(Transaction Transaction, MessageEnvelope Envelope);

    public static Plan Prepare(MimeMessage message, SendMessageOptions options, SmtpCapabilities capabilities)
    {
        var envelope = MessageEnvelope.From(message);
        var senderMailbox = options.Sender is { } explicitSender ? MailboxAddress.Parse(explicitSender) : envelope.Sender;
        var recipientMailboxes = options.Recipients is { } explicitRecipients
            ? explicitRecipients.Select(MailboxAddress.Parse).ToArray()
            : envelope.Recipients;

        var international = new[] { senderMailbox }.Concat(recipientMailboxes).Any(m => !IsAscii(m.LocalPart) || !IsAscii(m.Domain));
        var useUtf8 = international && capabilities.SmtpUtf8;
        if (international && !useUtf8 && new[] { senderMailbox }.Concat(recipientMailboxes).Any(m => !IsAscii(m.LocalPart)))
        {
            throw new MailNotSupportedException("SMTPUTF8", "An address has a non-ASCII local part and the server does not offer SMTPUTF8.");
        }

        // 8-bit parts are re-encoded (quoted-printable/base64) when the server cannot take 8-bit data.
        // The session reads the same inspection (DeclareBody) instead of scanning the content again.
        var content = MimeWriting.Write(message, capabilities.EightBitMime ? EncodingConstraint.EightBit : EncodingConstraint.SevenBit, useUtf8);
        var parameters = new MailParameters
        {
            Body = content.RequiredBody,
            SmtpUtf8 = useUtf8,
            Return = options.Return,
            EnvelopeId = options.EnvelopeId,
        };
        var recipientParameters = options.Notify == DsnNotify.None ? null : new RecipientParameters { Notify = options.Notify };
        var recipients = recipientMailboxes
            .Select(m => new TransactionRecipient(MimeWriting.EnvelopeAddress(m, useUtf8), recipientParameters))
            .ToArray();
        var transaction = new Transaction(MimeWriting.EnvelopeAddress(senderMailbox, useUtf8), recipients, content, parameters);
        return new Plan(transaction, envelope);
    }

    private static bool IsAscii(string value) => System.Text.Ascii.IsValid(value);
}
