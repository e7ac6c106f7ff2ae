using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailActors.Tests.Support;

/// <summary>
/// A one-connection loopback server driven by a script, for server behaviour no real or test server produces on
/// purpose (plaintext injected after STARTTLS, replies split at odd places).
/// </summary>
public sealed class RawServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _serving;
    private readonly CancellationTokenSource _stop = new();

    public RawServer(Func<RawConnection, Task> script)
    {
        _listener.Start();
        _serving = ServeAsync(script);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Lines the client sent, as the script read them.</summary>
    public List<string> Received { get; } = [];

    private async Task ServeAsync(Func<RawConnection, Task> script)
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        await using var stream = client.GetStream();
        try
        {
            await script(new RawConnection(stream, Received));
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            // the client hung up (or gave up on a handshake): that is what many scripts test for
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or TimeoutException or ObjectDisposedException) { }
        _stop.Dispose();
    }
}

/// <summary>The script's view of the connection.</summary>
public sealed class RawConnection(Stream stream, List<string> received)
{
    private readonly StreamReader _reader = new(stream, Encoding.ASCII, false, 1024, leaveOpen: true);

    public Stream Stream => stream;

    /// <summary>Sends <paramref name="text"/> in one write, so on loopback it arrives in one segment.</summary>
    public async Task SendAsync(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>
    /// Does the server side of a TLS handshake with <paramref name="certificate"/> and returns the connection over it.
    /// Call it only while the client waits for the handshake: lines already buffered by this connection are lost.
    /// </summary>
    public async Task<RawConnection> StartTlsAsync(X509Certificate2 certificate)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
        return new RawConnection(tls, received);
    }

    public async Task<string?> ReadLineAsync()
    {
        var line = await _reader.ReadLineAsync();
        if (line is not null)
        {
            lock (received)
            {
                received.Add(line);
            }
        }
        return line;
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>.</summary>
    public async Task ExpectAsync(string prefix)
    {
        while (await ReadLineAsync() is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
        }
        throw new IOException($"connection closed before '{prefix}'");
    }
}
