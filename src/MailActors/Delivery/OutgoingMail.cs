using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MimeKit;

namespace MailActors.Delivery;

/// <summary>A message for the delivery engine: envelope, content, and optionally the route that must carry it.</summary>
public sealed record OutgoingMail
{
    /// <summary>Creates a message.</summary>
    public OutgoingMail(string sender, IReadOnlyList<string> recipients, MessageContent content)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(content);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("A message needs at least one recipient.", nameof(recipients));
        }
        Sender = sender;
        Recipients = recipients;
        Content = content;
    }

    /// <summary>Envelope sender (MAIL FROM); "" for the null sender.</summary>
    public string Sender { get; }

    /// <summary>Envelope recipients (RCPT TO).</summary>
    public IReadOnlyList<string> Recipients { get; }

    /// <summary>The octets to send.</summary>
    public MessageContent Content { get; }

    /// <summary>Identifies the message in reports, metrics and traces; unless given, 32 hex digits unique to this message.</summary>
    public string MessageId { get; init; } = MessageIds.New();

    /// <summary>The route to use; when null the route is chosen by recipient domain, then the default route.</summary>
    public string? Route { get; init; }

    /// <summary>MAIL FROM parameters (DSN RET/ENVID, BODY...).</summary>
    public MailParameters? Parameters { get; init; }

    /// <summary>RCPT TO parameters applied to every recipient (DSN NOTIFY/ORCPT).</summary>
    public RecipientParameters? RecipientParameters { get; init; }

    /// <summary>
    /// RCPT TO parameters for single recipients (keyed by address, case-insensitive), in place of
    /// <see cref="RecipientParameters"/>: each recipient's own ORCPT, for instance, so a DSN names the recipient it is about.
    /// </summary>
    public IReadOnlyDictionary<string, RecipientParameters>? PerRecipientParameters
    {
        get => _perRecipientParameters;
        // Copied so that look-ups ignore case whatever comparer the caller's dictionary has, and later changes to it
        // do not reach a message already queued.
        init => _perRecipientParameters = value is null ? null : IgnoringCase(value);
    }

    private static Dictionary<string, RecipientParameters> IgnoringCase(IReadOnlyDictionary<string, RecipientParameters> given)
    {
        var copy = new Dictionary<string, RecipientParameters>(given.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (address, parameters) in given)
        {
            copy[address] = parameters;
        }
        return copy;
    }

    private readonly IReadOnlyDictionary<string, RecipientParameters>? _perRecipientParameters;

    /// <summary>The RCPT TO parameters for <paramref name="recipient"/>: its own entry, else <see cref="RecipientParameters"/>.</summary>
    public RecipientParameters? RecipientParametersFor(string recipient) =>
        PerRecipientParameters is { } own && own.TryGetValue(recipient, out var parameters) ? parameters : RecipientParameters;

    /// <summary>
    /// Checks the envelope's addresses in one mode before anything is queued: no CR, LF or NUL, valid path syntax, the
    /// null path only as the sender, <c>&lt;Postmaster&gt;</c> allowed as a recipient. The <see cref="Mailer"/> and the
    /// outbox check each address in the mode of the route it goes to instead (<see cref="RouteTable.Plan"/>).
    /// </summary>
    /// <param name="exactAddresses">The route's <see cref="SmtpSessionSettings.ExactAddresses"/>.</param>
    /// <exception cref="MailArgumentException">An address is refused; the message names it.</exception>
    public void ValidateAddresses(bool exactAddresses = false)
    {
        EnsureSafe();
        SmtpPath.ValidateSender(Sender, exactAddresses);
        foreach (var recipient in Recipients)
        {
            SmtpPath.ValidateRecipient(recipient, exactAddresses);
        }
    }

    /// <summary>Refuses CR, LF and NUL in any address, naming the envelope field: checked before any address is parsed.</summary>
    internal void EnsureSafe()
    {
        WireText.EnsureSafe(Sender, nameof(Sender));
        foreach (var recipient in Recipients)
        {
            WireText.EnsureSafe(recipient, nameof(Recipients));
        }
    }

    /// <summary>
    /// Checks the MAIL and RCPT parameters by building the command lines a session will send (ENVID and ORCPT
    /// encoding, NOTIFY combinations, AUTH, TRANSID, extra parameters), so that a bad one is refused before anything is
    /// queued or journaled. What the server offers (DSN, SMTPUTF8, SIZE) is checked by the session.
    /// Call <see cref="ValidateAddresses"/> first, in the same mode (or <see cref="RoutePlan.ValidateParameters"/>, which
    /// uses each route's mode).
    /// </summary>
    /// <param name="exactAddresses">The route's <see cref="SmtpSessionSettings.ExactAddresses"/>.</param>
    /// <exception cref="MailArgumentException">A parameter is refused; the message names it.</exception>
    public void ValidateParameters(bool exactAddresses = false) => ValidateParameters(exactAddresses, Recipients);

    /// <summary><see cref="ValidateParameters(bool)"/> for the recipients that one route carries.</summary>
    internal void ValidateParameters(bool exactAddresses, IReadOnlyList<string> recipients)
    {
        if (Parameters is not null)
        {
            _ = SmtpCommand.MailFrom(SmtpPath.ToPath(Sender, exactAddresses), Parameters);
        }
        if (RecipientParameters is null && PerRecipientParameters is null)
        {
            return;
        }
        foreach (var recipient in recipients)
        {
            if (RecipientParametersFor(recipient) is { } parameters)
            {
                _ = SmtpCommand.RcptTo(SmtpPath.ToRecipientPath(recipient, exactAddresses), parameters);
            }
        }
    }

    /// <summary>
    /// A message from a MimeKit message: envelope from the headers (see <see cref="MessageEnvelope.From"/>), Bcc and
    /// Resent-Bcc hidden from the content but kept as recipients, CRLF line endings. The message is written once, here,
    /// before the server is known, so it is made fit for any server: parts with 8-bit or binary content or lines over
    /// 998 octets are re-encoded (quoted-printable or base64; <paramref name="message"/> is changed in place), and
    /// international domains in the envelope are sent as punycode. Only a non-ASCII local part still needs SMTPUTF8.
    /// </summary>
    public static OutgoingMail FromMimeMessage(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var envelope = MessageEnvelope.From(message);
        // A server without 8BITMIME (or BINARYMIME, which most lack) would otherwise refuse the content outright.
        var content = MimeWriting.Write(message, EncodingConstraint.SevenBit, international: false);
        var recipients = envelope.Recipients.Select(r => MimeWriting.EnvelopeAddress(r, international: false)).ToArray();
        return new OutgoingMail(MimeWriting.EnvelopeAddress(envelope.Sender, international: false), recipients, content)
        {
            MessageId = message.MessageId ?? MessageIds.New(),
        };
    }
}
