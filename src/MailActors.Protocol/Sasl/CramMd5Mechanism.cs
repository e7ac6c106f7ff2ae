using System.Security.Cryptography;
using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>RFC 2195 CRAM-MD5: answers the server's challenge with <c>user SP hex(HMAC-MD5(password, challenge))</c>.</summary>
public sealed class CramMd5Mechanism : SaslMechanism
{
    private readonly string _userName;
    private readonly byte[] _password;

    /// <summary>Prepares the mechanism.</summary>
    /// <param name="credentials">User name and password.</param>
    public CramMd5Mechanism(SaslCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(credentials.UserName, nameof(credentials));
        _userName = credentials.UserName;
        _password = Encoding.UTF8.GetBytes(credentials.Password);
    }

    /// <inheritdoc/>
    public override string Name => SaslMechanismNames.CramMd5;

    /// <inheritdoc/>
    public override bool SupportsInitialResponse => false;

    /// <inheritdoc/>
    public override byte[]? InitialResponse() => null;

    /// <summary>Answers the server's timestamp challenge.</summary>
    /// <param name="challenge">The decoded challenge, e.g. "&lt;1896.697170952@postoffice.reston.mci.net&gt;".</param>
    /// <returns>"user digest".</returns>
    /// <exception cref="SaslException">When the challenge is empty or a second challenge arrives.</exception>
    public override byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        if (IsCompleted)
        {
            throw new SaslException("CRAM-MD5 received a second challenge.");
        }

        if (challenge.IsEmpty)
        {
            throw new SaslException("CRAM-MD5 requires a non-empty challenge.");
        }

        IsCompleted = true;
        return Encoding.UTF8.GetBytes(ComputeResponse(_userName, _password, challenge));
    }

    internal static string ComputeResponse(string userName, ReadOnlySpan<byte> password, ReadOnlySpan<byte> challenge)
    {
        Span<byte> digest = stackalloc byte[HMACMD5.HashSizeInBytes];
        HMACMD5.HashData(password, challenge, digest);
        return $"{userName} {Convert.ToHexStringLower(digest)}";
    }
}
