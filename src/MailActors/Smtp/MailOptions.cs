using MailActors.Protocol.Smtp;

namespace MailActors.Smtp;

/// <summary>The options of Net::SMTP's <c>mail()</c>, by their Net::SMTP names.</summary>
public sealed record MailOptions
{
    /// <summary>SIZE: the message size in octets (dropped when the server does not advertise SIZE).</summary>
    public long? Size { get; init; }

    /// <summary>RET: <c>FULL</c> or <c>HDRS</c> in DSNs (needs DSN).</summary>
    public DsnReturn? Return { get; init; }

    /// <summary>BODY: 7BIT, 8BITMIME or BINARYMIME (Net::SMTP <c>Bits</c> 7 / 8 / binary).</summary>
    public BodyType? Bits { get; init; }

    /// <summary>TRANSID (CHECKPOINT extension; Net::SMTP <c>Transaction</c>).</summary>
    public string? Transaction { get; init; }

    /// <summary>ENVID given raw; it is xtext-encoded on the wire (Net::SMTP <c>Envelope</c>).</summary>
    public string? Envelope { get; init; }

    /// <summary>
    /// ENVID given already xtext-encoded (Net::SMTP <c>ENVID</c>), sent unchanged once checked to be xtext
    /// (<see cref="MailParameters.EnvelopeIdRaw"/>); wins over <see cref="Envelope"/>.
    /// </summary>
    public string? EnvId { get; init; }

    /// <summary>XVERP (Postfix).</summary>
    public bool Xverp { get; init; }

    /// <summary>AUTH= given raw: the submitter mailbox, or <c>&lt;&gt;</c> (RFC 4954); it is xtext-encoded on the wire.</summary>
    public string? Auth { get; init; }

    /// <summary>
    /// AUTH= given already xtext-encoded, as Net::SMTP's <c>AUTH</c> option takes it, sent unchanged once checked to be
    /// xtext (<see cref="MailParameters.AuthRaw"/>); wins over <see cref="Auth"/>. Without it, a Net::SMTP caller's
    /// encoded <c>a+2Bb@x</c> would be encoded a second time.
    /// </summary>
    public string? AuthEncoded { get; init; }

    /// <summary>SMTPUTF8 (RFC 6531); set automatically when an address needs it.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>Further <c>KEY=VALUE</c> parameters, passed through after validation.</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>The protocol-level parameters.</summary>
    public MailParameters ToParameters() => new()
    {
        Size = Size,
        Return = Return,
        Body = Bits,
        TransactionId = Transaction,
        EnvelopeId = EnvId is null ? Envelope : null,
        EnvelopeIdRaw = EnvId,
        Xverp = Xverp,
        Auth = AuthEncoded is null ? Auth : null,
        AuthRaw = AuthEncoded,
        SmtpUtf8 = SmtpUtf8,
        Extra = Extra,
    };
}

/// <summary>The options of Net::SMTP's <c>recipient()</c>.</summary>
public sealed record RecipientOptions
{
    /// <summary>NOTIFY: NEVER alone, or any of SUCCESS, FAILURE, DELAY (needs DSN).</summary>
    public DsnNotify Notify { get; init; }

    /// <summary>ORCPT, already in RFC 3461 form <c>type;xtext</c> (Net::SMTP <c>ORcpt</c>).</summary>
    public string? ORcpt { get; init; }

    /// <summary>Go on past refused addresses and return the accepted ones (Net::SMTP <c>SkipBad</c>).</summary>
    public bool SkipBad { get; init; }

    /// <summary>The protocol-level parameters.</summary>
    public RecipientParameters ToParameters() => new() { Notify = Notify, OriginalRecipientRaw = ORcpt };
}
