namespace MailActors.Testing;

/// <summary>The mail transaction in progress in an SMTP session: from MAIL to the end of the message or RSET.</summary>
internal sealed class SmtpTransaction : IDisposable
{
    public bool HasMail { get; private set; }

    public string MailFrom { get; private set; } = "";

    public IReadOnlyList<string> MailParameters { get; private set; } = [];

    public List<SmtpRecipient> Recipients { get; private set; } = [];

    /// <summary>The client declared SMTPUTF8.</summary>
    public bool Utf8 { get; private set; }

    /// <summary>The client declared BODY=BINARYMIME (then only BDAT may carry the content).</summary>
    public bool BinaryMime { get; private set; }

    /// <summary>A BDAT chunk has been accepted in this transaction (DATA is then out of sequence).</summary>
    public bool UsedBdat { get; set; }

    public MessageBuffer Content { get; } = new();

    public void Begin(string mailFrom, IReadOnlyList<string> parameters, bool utf8, bool binaryMime, bool store, long? sizeLimit)
    {
        Reset();
        HasMail = true;
        MailFrom = mailFrom;
        MailParameters = parameters;
        Utf8 = utf8;
        BinaryMime = binaryMime;
        Content.Store = store;
        Content.Limit = sizeLimit;
    }

    public void Reset()
    {
        HasMail = false;
        MailFrom = "";
        MailParameters = [];
        Recipients = [];
        Utf8 = false;
        BinaryMime = false;
        UsedBdat = false;
        Content.Reset();
    }

    public void Dispose() => Content.Dispose();
}
