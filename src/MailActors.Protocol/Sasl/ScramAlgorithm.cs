using System.Security.Cryptography;

namespace MailActors.Protocol.Sasl;

/// <summary>The hash a SCRAM variant is built on, with the key derivations of RFC 5802 section 3 shared by client and server.</summary>
internal sealed class ScramAlgorithm
{
    public static readonly ScramAlgorithm Sha256 = new(SaslMechanismNames.ScramSha256, HashAlgorithmName.SHA256, 32);
    public static readonly ScramAlgorithm Sha1 = new(SaslMechanismNames.ScramSha1, HashAlgorithmName.SHA1, 20);

    private ScramAlgorithm(string mechanismName, HashAlgorithmName hash, int hashSize)
    {
        MechanismName = mechanismName;
        Hash = hash;
        HashSize = hashSize;
    }

    public string MechanismName { get; }

    public HashAlgorithmName Hash { get; }

    public int HashSize { get; }

    public static ScramAlgorithm ForName(string mechanismName) => mechanismName.ToUpperInvariant() switch
    {
        SaslMechanismNames.ScramSha256 => Sha256,
        SaslMechanismNames.ScramSha1 => Sha1,
        _ => throw new NotSupportedException($"SCRAM variant '{mechanismName}' is not supported."),
    };

    public byte[] SaltedPassword(byte[] normalizedPassword, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(normalizedPassword, salt, iterations, Hash, HashSize);

    public byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => CryptographicOperations.HmacData(Hash, key, data);

    public byte[] HashOf(ReadOnlySpan<byte> data) => CryptographicOperations.HashData(Hash, data);

    public byte[] ClientKey(byte[] saltedPassword) => Hmac(saltedPassword, "Client Key"u8);

    public byte[] ServerKey(byte[] saltedPassword) => Hmac(saltedPassword, "Server Key"u8);

    public static byte[] Xor(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var result = new byte[left.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (byte)(left[i] ^ right[i]);
        }

        return result;
    }
}
