using MailActors.Protocol.Pop3;
using MailActors.Sessions;

namespace MailActors.Pop3;

/// <summary>
/// The constructor options of Net::POP3 (<see cref="MailClientOptions"/>: Host, Port 110 or 995 with SSL, SSL,
/// LocalAddr, LocalPort, Domain/Family, Timeout, Debug), plus STLS policy, certificate trust, pipelining and response limits.
/// </summary>
public sealed record Pop3ClientOptions : MailClientOptions
{
    /// <summary>Send batches (<see cref="Pop3Client.GetManyAsync"/>, <see cref="Pop3Client.DeleteAsync(IEnumerable{int}, CancellationToken)"/>)
    /// in one write when the server offers PIPELINING.</summary>
    public bool UsePipelining { get; init; } = true;

    /// <summary>Ask CAPA during connect, so <see cref="Pop3Client.Capabilities"/> is filled without asking.</summary>
    public bool RequestCapabilities { get; init; } = true;

    /// <summary>Limits on responses; exceeding one ends the session with a protocol error.</summary>
    public Pop3ParserOptions ResponseLimits { get; init; } = Pop3ParserOptions.Default;

    /// <summary>The session settings these options describe.</summary>
    public Pop3SessionSettings ToSessionSettings() => new()
    {
        Connection = ToConnectionSpec(plainPort: 110, implicitTlsPort: 995),
        TlsMode = EffectiveTlsMode,
        CommandTimeout = Timeout,
        Transcript = EffectiveTranscript,
        AllowCleartextAuthentication = AllowCleartextAuthentication,
        UsePipelining = UsePipelining,
        RequestCapabilities = RequestCapabilities,
        ResponseLimits = ResponseLimits,
    };
}
