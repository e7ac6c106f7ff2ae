namespace MailActors.Protocol.Smtp;

/// <summary>Limits that keep a misbehaving server from making the client buffer without end.</summary>
public sealed class SmtpReplyParserOptions
{
    /// <summary>Longest accepted reply line in bytes, not counting the line ending. At least 4. Default 4096
    /// (RFC 5321 allows 512 including CRLF; real servers stay well below this).</summary>
    public int MaxLineLength { get; init; } = 4096;

    /// <summary>Most lines accepted in one reply (EHLO and HELP replies are the long ones). At least 1. Default 512.</summary>
    public int MaxLines { get; init; } = 512;

    /// <summary>The defaults, shared.</summary>
    public static SmtpReplyParserOptions Default { get; } = new();
}
