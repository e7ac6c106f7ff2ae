using System.Globalization;
using System.Text;
using MailActors.Delivery;
using MailActors.Outbox.State;
using MailActors.Smtp;
using MimeKit;

namespace MailActors.Outbox.Dsn;

/// <summary>
/// Builds the RFC 3464 delivery status notification the outbox sends to a message's envelope sender when recipients
/// bounce or expire: multipart/report; report-type=delivery-status with a human-readable part, the
/// message/delivery-status part, and the original message (RET=FULL) or its headers.
/// </summary>
internal static class DsnBuilder
{
    /// <summary>The DSN's own message id, derived from the original's so a re-drive after a crash enqueues the same one.</summary>
    public static string MessageIdFor(string originalId) => "dsn." + originalId;

    /// <param name="request">The failed recipients and the message.</param>
    /// <param name="reportingMta">The name in Reporting-MTA, and the domain of the DSN's From and Message-ID.</param>
    /// <param name="now">The DSN's date.</param>
    /// <param name="readsExactly">Whether a recipient's route has exact-addresses on: then the address as written, not
    /// the one taken out of it, is the mailbox the DSN names.</param>
    public static OutgoingMail Build(DsnRequest request, string reportingMta, DateTime now, Func<string, bool> readsExactly)
    {
        var report = new MultipartReport("delivery-status");
        string Mailbox(string recipient) => Actors.SuppressionSet.Normalize(recipient, readsExactly(recipient));
        report.Add(new TextPart("plain") { Text = HumanReadable(request, reportingMta, Mailbox) });
        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList
        {
            { "Reporting-MTA", "dns; " + reportingMta },
            { "Original-Envelope-Id", request.EnvelopeId },
            { "Arrival-Date", MimeKit.Utils.DateUtils.FormatDate(new DateTimeOffset(request.AcceptedAt, TimeSpan.Zero)) },
        };
        status.StatusGroups.Add(perMessage);
        foreach (var recipient in request.Recipients)
        {
            var group = new HeaderList();
            if (recipient.OriginalRecipient is { } original)
            {
                group.Add("Original-Recipient", "rfc822;" + original);
            }
            else if (recipient.OriginalRecipientRaw is { } raw)
            {
                // Already addr-type;xtext, as RFC 3464 section 2.3.1 writes the field; checked before it was queued.
                group.Add("Original-Recipient", raw);
            }
            group.Add("Final-Recipient", "rfc822;" + Mailbox(recipient.Address));
            group.Add("Action", "failed");
            group.Add("Status", StatusCode(recipient));
            if (recipient.Reply is { } reply)
            {
                group.Add("Diagnostic-Code", "smtp; " + reply.Code.ToString(CultureInfo.InvariantCulture) + " " + string.Join(" ", reply.Lines));
            }
            group.Add("Last-Attempt-Date", MimeKit.Utils.DateUtils.FormatDate(new DateTimeOffset(recipient.At, TimeSpan.Zero)));
            status.StatusGroups.Add(group);
        }
        report.Add(status);
        using (var original = new MemoryStream(request.Original.ToArray(), writable: false))
        {
            var originalMessage = MimeMessage.Load(original);
            report.Add(request.Return == Protocol.Smtp.DsnReturn.Full
                ? new MessagePart("rfc822") { Message = originalMessage }
                : new TextRfc822Headers { Message = originalMessage });
        }

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@" + reportingMta));
        message.To.Add(MailboxAddress.Parse(Bare(request.Sender)));
        message.Subject = "Undelivered Mail Returned to Sender";
        message.Date = new DateTimeOffset(now, TimeSpan.Zero);
        message.MessageId = MessageIdFor(request.MessageId) + "@" + reportingMta;
        message.Headers.Add("Auto-Submitted", "auto-replied");
        message.Body = report;

        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var buffer = new MemoryStream();
        message.WriteTo(format, buffer);
        // The null reverse path: nobody answers a DSN with another (RFC 3461 section 6.2).
        return new OutgoingMail("", [Bare(request.Sender)], MessageContent.FromBytes(buffer.ToArray()))
        {
            MessageId = MessageIdFor(request.MessageId),
        };
    }

    private static string StatusCode(DsnRecipient recipient) =>
        recipient.Reply?.EnhancedCode is { } code ? code.ToString()
        : recipient.State == RecipientState.Expired ? "4.4.7"
        : "5.0.0";

    private static string HumanReadable(DsnRequest request, string reportingMta, Func<string, string> mailbox)
    {
        var text = new StringBuilder();
        text.Append("This is the mail system at ").Append(reportingMta).Append(".\n\n");
        text.Append("Your message (envelope id ").Append(request.EnvelopeId).Append(") could not be delivered to the following recipient(s):\n\n");
        foreach (var recipient in request.Recipients)
        {
            text.Append("<").Append(mailbox(recipient.Address)).Append(">: ");
            text.Append(recipient.State == RecipientState.Expired ? "delivery time expired" : "permanent failure");
            if (recipient.Reply is { } reply)
            {
                text.Append(": ").Append(reply.Code).Append(' ').Append(string.Join(" ", reply.Lines));
            }
            else if (recipient.Error is { } error)
            {
                text.Append(": ").Append(error);
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    // The address alone, whatever form the caller wrote ("Alice <a@x>" lost only its closing bracket to a trim before).
    private static string Bare(string address) => Actors.SuppressionSet.Normalize(address);
}
