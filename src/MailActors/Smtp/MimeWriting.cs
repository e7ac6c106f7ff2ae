using MimeKit;

namespace MailActors.Smtp;

/// <summary>
/// How a <see cref="MimeMessage"/> becomes SMTP content and envelope addresses, shared by
/// <see cref="MessagePreparation"/> (which knows the server) and <c>OutgoingMail.FromMimeMessage</c> (which does not).
/// </summary>
internal static class MimeWriting
{
    /// <summary>RFC 5321's limit on a line, without its CRLF.</summary>
    public const int MaxLineLength = 998;

    /// <summary>
    /// Re-encodes the parts that <paramref name="constraint"/> does not allow as they are (quoted-printable or base64,
    /// also for lines over <see cref="MaxLineLength"/>), then writes the message with CRLF line endings and without its
    /// Bcc and Resent-Bcc headers (their addresses stay envelope recipients).
    /// </summary>
    /// <param name="message">The message; its parts' encodings are changed in place.</param>
    /// <param name="constraint">What the content may hold: <see cref="EncodingConstraint.SevenBit"/> for any server.</param>
    /// <param name="international">UTF-8 headers (SMTPUTF8), else encoded ones.</param>
    public static MessageContent Write(MimeMessage message, EncodingConstraint constraint, bool international)
    {
        message.Prepare(constraint, MaxLineLength);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.International = international;
        format.HiddenHeaders.Add(HeaderId.Bcc);
        format.HiddenHeaders.Add(HeaderId.ResentBcc);
        using var buffer = new MemoryStream();
        message.WriteTo(format, buffer);
        return MessageContent.FromBytes(buffer.ToArray());
    }

    /// <summary>
    /// The envelope form of <paramref name="mailbox"/>: outside an SMTPUTF8 transaction an international domain is
    /// written as its punycode (<c>xn--</c>) A-labels, which any server takes; a non-ASCII local part has no such form
    /// and still needs SMTPUTF8.
    /// </summary>
    public static string EnvelopeAddress(MailboxAddress mailbox, bool international) => mailbox.GetAddress(idnEncode: !international);
}
