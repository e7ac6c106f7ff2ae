using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace MailActors.Transport;

/// <summary>An open connection owned by one session actor: the socket and the stream over it (plain or TLS).</summary>
internal sealed class Connection : IAsyncDisposable
{
    private Connection(Socket socket, Stream stream, ServerAddress host, EndPoint remote)
    {
        Socket = socket;
        Stream = stream;
        Host = host;
        RemoteEndPoint = remote;
    }

    public Socket Socket { get; }
    public Stream Stream { get; private set; }
    public ServerAddress Host { get; }
    public EndPoint RemoteEndPoint { get; }
    public SslStream? Tls => Stream as SslStream;
    public bool IsEncrypted => Stream is SslStream { IsEncrypted: true };

    /// <summary>Tries each host, and each of its addresses, in turn until one connects.</summary>
    public static async Task<Connection> OpenAsync(ConnectionSpec spec, CancellationToken ct)
    {
        if (spec.Hosts.Count == 0)
        {
            throw new MailConnectException("No host to connect to.");
        }
        var failures = new List<string>();
        Exception? last = null;
        var lastWasHandshake = false;
        foreach (var host in spec.Hosts)
        {
            var port = host.Port ?? spec.DefaultPort;
            IPAddress[] addresses;
            try
            {
                addresses = await ResolveAsync(host.Host, spec.Family, ct).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                failures.Add($"{host}: {e.Message}");
                last = e;
                lastWasHandshake = false;
                continue;
            }
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                var handshaking = false;
                try
                {
                    if (spec.LocalAddress is not null || spec.LocalPort != 0)
                    {
                        var local = spec.LocalAddress ?? (address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);
                        socket.Bind(new IPEndPoint(local, spec.LocalPort));
                    }
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(spec.ConnectTimeout);
                    var remote = new IPEndPoint(address, port);
                    await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
                    Stream stream = new NetworkStream(socket, ownsSocket: true);
                    var connection = new Connection(socket, stream, host, remote);
                    if (spec.ImplicitTls)
                    {
                        handshaking = true;
                        await connection.UpgradeToTlsAsync(spec.Tls, timeout.Token).ConfigureAwait(false);
                    }
                    return connection;
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException)
                {
                    socket.Dispose();
                    if (ct.IsCancellationRequested)
                    {
                        throw;
                    }
                    var reason = e is OperationCanceledException ? $"timed out after {spec.ConnectTimeout.TotalSeconds:0.#}s" : e.Message;
                    failures.Add($"{host} ({address}:{port}): {reason}");
                    last = e;
                    lastWasHandshake = handshaking;
                }
            }
        }
        // The TCP connect and the implicit handshake share one catch and one timeout: only the step that was running
        // tells a TLS failure from an unreachable host (callers such as the CLI report the two differently).
        throw new MailConnectException("Could not connect: " + string.Join("; ", failures), last) { IsTlsFailure = lastWasHandshake };
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, AddressFamily family, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return family == AddressFamily.Unspecified || literal.AddressFamily == family
                ? [literal]
                : throw new SocketException((int)SocketError.AddressFamilyNotSupported);
        }
        var all = await Dns.GetHostAddressesAsync(host, family, ct).ConfigureAwait(false);
        if (all.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        return all;
    }

    /// <summary>Wraps the current stream in TLS and handshakes (STARTTLS/STLS after the server's go-ahead, or implicit TLS).</summary>
    public async Task UpgradeToTlsAsync(TlsOptions options, CancellationToken ct)
    {
        var ssl = new SslStream(Stream, leaveInnerStreamOpen: false, CertificateValidator.For(options));
        var auth = new SslClientAuthenticationOptions
        {
            TargetHost = options.TargetHost ?? Host.Host,
            ClientCertificates = options.ClientCertificates,
            EnabledSslProtocols = options.EnabledProtocols,
            CertificateRevocationCheckMode = options.CheckRevocation
                ? System.Security.Cryptography.X509Certificates.X509RevocationMode.Online
                : System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(auth, ct).ConfigureAwait(false);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        Stream = ssl;
    }

    private int _aborted;

    /// <summary>Tears the connection down at once (RST-free close); safe to call twice.</summary>
    public void Abort()
    {
        // A session's Close aborts the connection and then cancels the channel's lifetime, whose registration aborts
        // it again (see WireChannel.OpenOwnedAsync): without this flag that second call threw and caught an
        // ObjectDisposedException from the disposed socket on every session close.
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        Stream.Dispose();
        Socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        Socket.Dispose();
    }
}
