namespace MailActors.Protocol.Smtp;

/// <summary>The MAIL FROM <c>BODY=</c> value: what kind of octets the message body contains.</summary>
public enum BodyType
{
    /// <summary><c>BODY=7BIT</c>: US-ASCII lines only.</summary>
    SevenBit,

    /// <summary><c>BODY=8BITMIME</c> (RFC 6152): 8-bit octets in lines; needs 8BITMIME.</summary>
    EightBitMime,

    /// <summary><c>BODY=BINARYMIME</c> (RFC 3030): arbitrary octets; needs BINARYMIME and BDAT.</summary>
    BinaryMime,
}
