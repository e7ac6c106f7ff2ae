using MailActors.Protocol.Sasl;

namespace MailActors.Testing;

/// <summary>
/// SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding. The salt is random per exchange (the server keeps only
/// plaintext passwords), which a client cannot tell apart from a stored salt. A rejected proof fails the exchange at once
/// (no <c>e=</c> server-final is sent); an accepted one is answered with <c>v=</c>, which the client acknowledges with an
/// empty response.
/// </summary>
internal sealed class ScramServerMechanism : SaslServerMechanism
{
    private readonly ScramServerExchange _exchange;
    private Phase _phase = Phase.AwaitingClientFirst;

    public ScramServerMechanism(IReadOnlyDictionary<string, string> users)
        : base(users)
    {
        _exchange = SaslServerVerifier.CreateScram(SaslMechanismNames.ScramSha256, PasswordOf);
    }

    private enum Phase
    {
        AwaitingClientFirst,
        AwaitingClientFinal,
        AwaitingAcknowledgement,
    }

    public override SaslStep Start(byte[]? initialResponse) =>
        initialResponse is null ? SaslStep.Continue([]) : Next(initialResponse);

    public override SaslStep Next(byte[] response)
    {
        try
        {
            switch (_phase)
            {
                case Phase.AwaitingClientFirst:
                    var serverFirst = _exchange.ProcessClientFirst(response);
                    _phase = Phase.AwaitingClientFinal;
                    return SaslStep.Continue(serverFirst);
                case Phase.AwaitingClientFinal:
                    var serverFinal = _exchange.ProcessClientFinal(response);
                    _phase = Phase.AwaitingAcknowledgement;
                    return _exchange.IsAuthenticated ? SaslStep.Continue(serverFinal) : SaslStep.Failed();
                default:
                    return response.Length == 0 && _exchange.UserName is { } user ? SaslStep.Succeeded(user) : SaslStep.Failed();
            }
        }
        catch (Exception exception) when (exception is SaslException or ArgumentException)
        {
            // A malformed client message, or a configured password that SASLprep prohibits: the exchange fails.
            return SaslStep.Failed();
        }
    }
}
