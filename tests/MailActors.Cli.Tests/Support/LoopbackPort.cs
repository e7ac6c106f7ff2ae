using System.Net;
using System.Net.Sockets;

namespace MailActors.Cli.Tests.Support;

/// <summary>Ports on 127.0.0.1 for a server that is down.</summary>
internal static class LoopbackPort
{
    /// <summary>A port the kernel just handed out and that nothing listens on any more: connecting is refused at once.</summary>
    public static int Unused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
