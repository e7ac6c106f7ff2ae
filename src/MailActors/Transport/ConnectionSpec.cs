using System.Net;
using System.Net.Sockets;

namespace MailActors.Transport;

/// <summary>Where and how to open a connection: the libnet constructor options that concern the socket.</summary>
public sealed record ConnectionSpec
{
    /// <summary>Hosts tried in turn; the next one only when connecting to the previous one failed.</summary>
    public required IReadOnlyList<ServerAddress> Hosts { get; init; }

    /// <summary>Port for hosts that do not name one.</summary>
    public required int DefaultPort { get; init; }

    /// <summary>Local address to bind (Net::SMTP <c>LocalAddr</c>).</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Local port to bind (Net::SMTP <c>LocalPort</c>); 0 = any.</summary>
    public int LocalPort { get; init; }

    /// <summary>Restricts name resolution to IPv4 or IPv6 (Net::SMTP <c>Domain</c>/<c>Family</c>); Unspecified = both.</summary>
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    /// <summary>Time allowed for one TCP connect (and, for implicit TLS, its handshake).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>TLS from the first byte (SMTPS/POP3S).</summary>
    public bool ImplicitTls { get; init; }

    /// <summary>Certificate validation and TLS settings.</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.Default;

    /// <summary>Reads an address family setting: <c>any</c>, <c>ipv4</c> or <c>ipv6</c>.</summary>
    public static AddressFamily ParseFamily(string value) => value switch
    {
        "ipv4" => AddressFamily.InterNetwork,
        "ipv6" => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };
}
