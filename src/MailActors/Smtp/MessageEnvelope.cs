using MimeKit;

namespace MailActors.Smtp;

/// <summary>The SMTP envelope of a message, as taken from its headers.</summary>
/// <param name="Sender">The envelope sender (MAIL FROM).</param>
/// <param name="Recipients">The envelope recipients (RCPT TO), without duplicates.</param>
public sealed record MessageEnvelope(MailboxAddress Sender, IReadOnlyList<MailboxAddress> Recipients)
{
    /// <summary>
    /// Takes the envelope from the headers: when the message was resent (Resent-From or Resent-Sender present) from
    /// Resent-Sender or else the first Resent-From, to Resent-To, Resent-Cc and Resent-Bcc; otherwise from Sender or else
    /// the first From, to To, Cc and Bcc. Addresses repeated (compared case-insensitively) are sent once.
    /// </summary>
    /// <exception cref="ArgumentException">The message names no sender or no recipient.</exception>
    public static MessageEnvelope From(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var resent = message.ResentSender is not null || message.ResentFrom.Count > 0;
        var sender = resent
            ? message.ResentSender ?? message.ResentFrom.Mailboxes.FirstOrDefault()
            : message.Sender ?? message.From.Mailboxes.FirstOrDefault();
        if (sender is null)
        {
            throw new ArgumentException(resent ? "The resent message has no Resent-Sender or Resent-From." : "The message has no Sender or From.", nameof(message));
        }
        var lists = resent
            ? new[] { message.ResentTo, message.ResentCc, message.ResentBcc }
            : new[] { message.To, message.Cc, message.Bcc };
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var recipients = new List<MailboxAddress>();
        foreach (var mailbox in lists.SelectMany(list => list.Mailboxes))
        {
            if (seen.Add(mailbox.Address))
            {
                recipients.Add(mailbox);
            }
        }
        if (recipients.Count == 0)
        {
            throw new ArgumentException("The message has no recipients in " + (resent ? "Resent-To, Resent-Cc or Resent-Bcc." : "To, Cc or Bcc."), nameof(message));
        }
        return new MessageEnvelope(sender, recipients);
    }
}
