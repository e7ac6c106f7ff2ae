using System.Net;
using System.Net.Sockets;
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
        catch (IOException)
        {
            // the client hung up: that is what many scripts test for
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

    public async Task SendAsync(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text));

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
