using System.Net;
using System.Net.Sockets;

namespace MailActors.Testing;

/// <summary>
/// Accept loop shared by the test servers: one listening socket, one asynchronous task per accepted connection (no
/// thread per connection), and an orderly stop that cancels every session and waits for them to finish.
/// </summary>
internal sealed class TcpTestListener : IAsyncDisposable
{
    private readonly Socket _listenSocket;
    private readonly Func<Socket, long, CancellationToken, Task> _runSession;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _acceptLoop = Task.CompletedTask;
    private long _activeSessions;
    private long _lastSessionId;
    private int _disposed;

    private TcpTestListener(Socket listenSocket, Func<Socket, long, CancellationToken, Task> runSession)
    {
        _listenSocket = listenSocket;
        _runSession = runSession;
        EndPoint = (IPEndPoint)listenSocket.LocalEndPoint!;
    }

    /// <summary>The bound address and port (the real port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Token cancelled when the listener stops.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Binds, listens and starts accepting; <paramref name="runSession"/> gets the socket, a session id and the stop token.</summary>
    public static TcpTestListener Start(IPEndPoint endPoint, int backlog, Func<Socket, long, CancellationToken, Task> runSession)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var listener = new TcpTestListener(socket, runSession);
        listener._acceptLoop = listener.AcceptLoopAsync();
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listenSocket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        if (Interlocked.Read(ref _activeSessions) == 0)
        {
            _drained.TrySetResult();
        }

        await _drained.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _listenSocket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException && _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection that was reset while queued; keep accepting.
                continue;
            }

            accepted.NoDelay = true;
            Interlocked.Increment(ref _activeSessions);
            _ = RunSessionAsync(accepted, Interlocked.Increment(ref _lastSessionId));
        }
    }

    private async Task RunSessionAsync(Socket socket, long sessionId)
    {
        try
        {
            await _runSession(socket, sessionId, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A session's failure is its own business (sessions report protocol outcomes themselves); the server goes on.
        }
        finally
        {
            if (Interlocked.Decrement(ref _activeSessions) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }
}
