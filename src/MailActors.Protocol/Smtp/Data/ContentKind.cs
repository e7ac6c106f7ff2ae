namespace MailActors.Protocol.Smtp.Data;

/// <summary>What transport a message body needs, from the narrowest to the widest.</summary>
public enum ContentKind
{
    /// <summary>Only 7-bit bytes, no NUL, every line within 998 octets: plain SMTP carries it.</summary>
    SevenBit,

    /// <summary>Bytes above 127 but still line-oriented text without NUL: needs 8BITMIME (BODY=8BITMIME) or SMTPUTF8.</summary>
    EightBit,

    /// <summary>NUL bytes or lines longer than 998 octets: needs BINARYMIME with BDAT (BODY=BINARYMIME), or re-encoding.</summary>
    Binary,
}
