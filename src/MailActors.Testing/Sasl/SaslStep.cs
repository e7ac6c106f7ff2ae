namespace MailActors.Testing;

/// <summary>What a server-side SASL mechanism answers to one client message.</summary>
internal readonly record struct SaslStep(SaslStepKind Kind, byte[] Challenge, string? User)
{
    public static SaslStep Continue(byte[] challenge) => new(SaslStepKind.Challenge, challenge, null);

    public static SaslStep Succeeded(string user) => new(SaslStepKind.Success, [], user);

    public static SaslStep Failed() => new(SaslStepKind.Failure, [], null);
}

/// <summary>Kinds of <see cref="SaslStep"/>.</summary>
internal enum SaslStepKind
{
    /// <summary>Send the challenge and wait for the client's response.</summary>
    Challenge,

    /// <summary>The client proved who it is.</summary>
    Success,

    /// <summary>Bad credentials or a malformed exchange.</summary>
    Failure,
}
