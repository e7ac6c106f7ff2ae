using MailActors.Protocol;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Load;

/// <summary>Names the phase and kind of a session failure for the error table, from the exception and the last step seen.</summary>
internal static class FailurePhase
{
    /// <summary>The kind of failure: <c>timeout</c>, <c>disconnect</c>, <c>tls</c>, <c>protocol</c>, a reply code...</summary>
    public static string Kind(Exception error) => error switch
    {
        SmtpCommandException command => command.Reply.Code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        MailTimeoutException => "timeout",
        MailSessionClosedException => "disconnect",
        MailAuthenticationException => "refused",
        MailNotSupportedException notSupported => "not-supported:" + notSupported.Extension,
        MailConnectException { IsTlsFailure: true } => "tls",
        MailConnectException connect when connect.Message.Contains("refused the session", StringComparison.Ordinal) => "rejected",
        MailConnectException => "refused",
        MailProtocolException => "protocol",
        ArgumentException => "invalid",
        _ => error.GetType().Name,
    };

    /// <summary>The step a failed connect was in.</summary>
    public static string WhileConnecting(Exception error, string? lastStep, SmtpSessionSettings settings) => error switch
    {
        SmtpCommandException command => command.Command,
        MailAuthenticationException => "AUTH",
        MailNotSupportedException { Extension: "STARTTLS" } => "STARTTLS",
        _ => lastStep switch
        {
            null => "connect",
            "connect" => "banner",
            "banner" => "EHLO",
            "EHLO" when settings.TlsMode is TlsMode.StartTls or TlsMode.StartTlsWhenAvailable && settings.Connection.ImplicitTls == false => "STARTTLS",
            "STARTTLS" => "tls",
            "tls" => "EHLO",
            _ => settings.Credentials is not null ? "AUTH" : "EHLO",
        },
    };

    /// <summary>The step a failed transaction was in.</summary>
    public static string WhileSending(string? lastStep, int recipientsSeen, int recipients, bool chunking) => lastStep switch
    {
        "MAIL" => "RCPT",
        "RCPT" when recipientsSeen < recipients => "RCPT",
        "RCPT" => chunking ? "BDAT" : "DATA",
        "DATA" => "DOT",
        "BDAT" => "BDAT",
        _ => "MAIL",
    };
}
