using System.Globalization;
using System.Security.Cryptography;

namespace MailActors.Protocol;

/// <summary>
/// The unique msg-id-like token <c>&lt;random.timestamp@host&gt;</c> a server puts in a CRAM-MD5 challenge (RFC 2195) and
/// in an APOP greeting (RFC 1939 section 7): both only need it to be unique and unpredictable.
/// </summary>
internal static class ServerTimestamp
{
    public static string Create(string hostName)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        long random = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        return string.Create(CultureInfo.InvariantCulture, $"<{random}.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}@{hostName}>");
    }
}
