namespace MailActors.Protocol.Tests.Smtp;

/// <summary>Replies captured from real servers on loopback.</summary>
internal static class SmtpSamples
{
    /// <summary>Postfix 3.7 with SASL, TLS, SMTPUTF8 and a 10 MB message_size_limit.</summary>
    public const string PostfixEhlo =
        "250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n" +
        "250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";

    /// <summary>Postfix's smtp-sink (Debian 12): note the bare "250 " last line.</summary>
    public const string SmtpSinkEhlo =
        "250-smtp-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-XCLIENT NAME HELO\r\n" +
        "250-XFORWARD NAME ADDR PROTO HELO\r\n250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250 \r\n";
}
