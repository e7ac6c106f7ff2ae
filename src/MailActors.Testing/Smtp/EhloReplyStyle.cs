namespace MailActors.Testing;

/// <summary>How the SMTP test server ends its EHLO reply.</summary>
public enum EhloReplyStyle
{
    /// <summary>The last extension keyword is on the final <c>250 </c> line (RFC 5321).</summary>
    Standard,

    /// <summary>
    /// Every keyword on a <c>250-</c> line, then a bare <c>"250 "</c> line with no keyword, as Postfix <c>smtp-sink</c>
    /// does: a real quirk client parsers must accept.
    /// </summary>
    SmtpSinkBareFinalLine,
}
