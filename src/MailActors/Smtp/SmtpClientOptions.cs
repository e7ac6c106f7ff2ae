using MailActors.Protocol.Smtp;
using MailActors.Sessions;

namespace MailActors.Smtp;

/// <summary>
/// The constructor options of Net::SMTP (<see cref="MailClientOptions"/>: Host, Port 25 or 465 with SSL, SSL,
/// LocalAddr, LocalPort, Domain/Family, Timeout, Debug; and Hello, SendHello, ExactAddresses here), plus what a modern
/// client needs (STARTTLS policy, certificate trust, pipelining).
/// </summary>
public sealed record SmtpClientOptions : MailClientOptions
{
    /// <summary>Domain for EHLO/HELO (Net::SMTP <c>Hello</c>).</summary>
    public string Hello { get; init; } = "localhost.localdomain";

    /// <summary>
    /// Greet during connect (Net::SMTP <c>SendHello</c>). When off, the STARTTLS the options ask for waits for the first
    /// <see cref="SmtpClient.HelloAsync"/>, which runs it before it returns.
    /// </summary>
    public bool SendHello { get; init; } = true;

    /// <summary>Addresses must be RFC 5321 paths already (Net::SMTP <c>ExactAddresses</c>).</summary>
    public bool ExactAddresses { get; init; }

    /// <summary>Pipeline transactions when the server offers PIPELINING.</summary>
    public bool UsePipelining { get; init; } = true;

    /// <summary>Send content with BDAT when the server offers CHUNKING.</summary>
    public bool PreferChunking { get; init; }

    /// <summary>Reply parsing limits.</summary>
    public SmtpReplyParserOptions ReplyLimits { get; init; } = new();

    /// <summary>The session settings these options describe.</summary>
    public SmtpSessionSettings ToSessionSettings() => new()
    {
        Connection = ToConnectionSpec(plainPort: 25, implicitTlsPort: 465),
        TlsMode = EffectiveTlsMode,
        HelloDomain = Hello,
        SendHello = SendHello,
        CommandTimeout = Timeout,
        ExactAddresses = ExactAddresses,
        Transcript = EffectiveTranscript,
        AllowCleartextAuthentication = AllowCleartextAuthentication,
        UsePipelining = UsePipelining,
        PreferChunking = PreferChunking,
        ReplyLimits = ReplyLimits,
    };
}
