using System.Globalization;
using System.Net;

namespace MailActors.Transport;

/// <summary>One entry of a host list: a name or address literal and an optional port (<c>host</c>, <c>host:2525</c>, <c>[::1]:25</c>).</summary>
public readonly record struct ServerAddress(string Host, int? Port)
{
    /// <summary>Parses <c>host</c>, <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c>; a bare IPv6 literal is taken whole.</summary>
    /// <exception cref="FormatException">The text is empty or the port is not a number from 1 to 65535.</exception>
    public static ServerAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        if (value.Length == 0)
        {
            throw new FormatException("A host must not be empty.");
        }
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"Unclosed '[' in host '{text}'.");
            }
            var host = value[1..close];
            var rest = value[(close + 1)..];
            return rest.Length == 0 ? new ServerAddress(host, null)
                : rest[0] == ':' ? new ServerAddress(host, ParsePort(rest[1..], text))
                : throw new FormatException($"Unexpected text after ']' in host '{text}'.");
        }
        if (IPAddress.TryParse(value, out var literal) && literal.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return new ServerAddress(value, null);
        }
        var colon = value.LastIndexOf(':');
        return colon < 0 ? new ServerAddress(value, null) : new ServerAddress(value[..colon], ParsePort(value[(colon + 1)..], text));
    }

    private static int ParsePort(string port, string original) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535
            ? value
            : throw new FormatException($"Bad port in host '{original}'.");

    /// <inheritdoc />
    public override string ToString() => Port is { } port
        ? (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{port}" : $"{Host}:{port}")
        : Host;
}
