using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailActors.Protocol.Smtp.Data;

namespace MailActors.Testing;

/// <summary>
/// The byte pipe of one server session: buffered line, block and dot-terminated reads; replies accumulated and sent
/// together whenever the session would otherwise wait for input (so pipelined commands get their replies in one write);
/// in-place TLS upgrade; an idle timeout. Idle connections hold no buffers: a zero-byte read waits for data first.
/// </summary>
internal sealed class ProtocolChannel : IAsyncDisposable
{
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Shared;
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly CancellationTokenSource _lifetime;
    private readonly CancellationToken _serverStopping;
    private readonly int _bufferSize;
    private Stream _stream;
    private byte[]? _input;
    private int _inputStart;
    private int _inputEnd;
    private byte[]? _output;
    private int _outputLength;
    private long _flushedTotal;

    public ProtocolChannel(Socket socket, int maxLineLength, TimeSpan idleTimeout, CancellationToken serverStopping)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _serverStopping = serverStopping;
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        _bufferSize = Math.Max(16 * 1024, (maxLineLength + 2) * 2);
        IdleTimeout = idleTimeout;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
    }

    /// <summary>How long a single read or write may wait before the session is abandoned.</summary>
    public TimeSpan IdleTimeout { get; set; }

    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The TLS stream once the session is encrypted.</summary>
    public SslStream? Tls => _stream as SslStream;

    public bool IsTls => _stream is SslStream;

    /// <summary>Cancelled when the server stops or the idle timeout expires.</summary>
    public CancellationToken Token => _lifetime.Token;

    /// <summary>Whether the cancellation of <see cref="Token"/> came from the server shutting down (not an idle timeout).</summary>
    public bool ServerStopping => _serverStopping.IsCancellationRequested;

    /// <summary>Bytes of reply output waiting to be sent.</summary>
    public int PendingOutput => _outputLength;

    /// <summary>Absolute position of the end of the reply output (sent plus pending), for <see cref="TruncateOutput"/>.</summary>
    public long OutputPosition => _flushedTotal + _outputLength;

    public async ValueTask<LineRead> ReadLineAsync(int maxLength)
    {
        var scanned = 0;
        var overflowing = false;
        while (true)
        {
            if (_input is not null && _inputEnd > _inputStart)
            {
                var unscanned = _input.AsSpan(_inputStart + scanned, _inputEnd - _inputStart - scanned);
                var newline = unscanned.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var lineStart = _inputStart;
                    var lineLength = scanned + newline;
                    _inputStart += lineLength + 1;
                    var contentLength = lineLength > 0 && _input[lineStart + lineLength - 1] == (byte)'\r' ? lineLength - 1 : lineLength;
                    if (overflowing || contentLength > maxLength)
                    {
                        return new LineRead(LineReadStatus.TooLong, default);
                    }

                    return new LineRead(LineReadStatus.Line, _input.AsMemory(lineStart, contentLength));
                }

                scanned = _inputEnd - _inputStart;
                if (scanned > maxLength + 1)
                {
                    // Far too long to be kept: drop what has arrived and keep discarding up to the line's end.
                    overflowing = true;
                    _inputStart = _inputEnd;
                    scanned = 0;
                }
            }

            if (!await FillAsync(useIdleTimeout: true).ConfigureAwait(false))
            {
                return new LineRead(LineReadStatus.EndOfStream, default);
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes into <paramref name="sink"/> (or discards them when it is null). False if the peer closed first.</summary>
    public async ValueTask<bool> ReadExactAsync(long count, MessageBuffer? sink)
    {
        var remaining = count;
        while (remaining > 0)
        {
            if (_input is not null && _inputEnd > _inputStart)
            {
                var take = (int)Math.Min(remaining, _inputEnd - _inputStart);
                sink?.Append(_input.AsSpan(_inputStart, take));
                _inputStart += take;
                remaining -= take;
                continue;
            }

            if (!await FillAsync(useIdleTimeout: true).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads dot-stuffed text up to and including CRLF "." CRLF, decoding it into <paramref name="sink"/> (only CRLF ends a
    /// line, see <see cref="DotUnstuffer"/>; reset it before each body). False if the peer closed first.
    /// </summary>
    public async ValueTask<bool> ReadDotTerminatedAsync(DotUnstuffer decoder, MessageBuffer sink)
    {
        while (true)
        {
            if (_input is not null && _inputEnd > _inputStart)
            {
                var complete = decoder.Decode(_input.AsSpan(_inputStart, _inputEnd - _inputStart), sink, out var consumed);
                _inputStart += consumed;
                if (complete)
                {
                    return true;
                }
            }

            if (!await FillAsync(useIdleTimeout: true).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    /// <summary>Reads and discards everything until the peer closes or the server stops (no idle timeout): a tarpit.</summary>
    public async ValueTask DrainUntilClosedAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        while (true)
        {
            _inputStart = _inputEnd;
            if (!await FillAsync(useIdleTimeout: false).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends pending replies, drops any input already buffered (plaintext a client pipelined after STARTTLS/STLS must not
    /// be processed as if it had arrived encrypted), and performs the server side of the TLS handshake.
    /// Returns the number of plaintext bytes dropped.
    /// </summary>
    public async ValueTask<int> UpgradeToTlsAsync(SslServerAuthenticationOptions options)
    {
        await FlushAsync().ConfigureAwait(false);
        var discarded = _inputEnd - _inputStart;
        ReleaseInput();

        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        _stream = tls;
        ArmIdleTimer();
        await tls.AuthenticateAsServerAsync(options, Token).ConfigureAwait(false);
        DisarmIdleTimer();
        return discarded;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        var output = EnsureOutputCapacity(bytes.Length);
        bytes.CopyTo(output.AsSpan(_outputLength));
        _outputLength += bytes.Length;
    }

    /// <summary>Appends <paramref name="text"/> (UTF-8) and CRLF to the pending output.</summary>
    public void WriteLine(string text)
    {
        var output = EnsureOutputCapacity(Encoding.UTF8.GetMaxByteCount(text.Length) + 2);
        _outputLength += Encoding.UTF8.GetBytes(text, output.AsSpan(_outputLength));
        CrLf.CopyTo(output.AsSpan(_outputLength));
        _outputLength += 2;
    }

    /// <summary>Forgets pending output written after <paramref name="position"/> (an earlier <see cref="OutputPosition"/>), as far as it has not been sent.</summary>
    public void TruncateOutput(long position) => _outputLength = (int)Math.Clamp(position - _flushedTotal, 0, _outputLength);

    public async ValueTask FlushAsync()
    {
        if (_outputLength == 0 || _output is null)
        {
            return;
        }

        var buffer = _output;
        var length = _outputLength;
        _output = null;
        _outputLength = 0;
        try
        {
            ArmIdleTimer();
            await _stream.WriteAsync(buffer.AsMemory(0, length), Token).ConfigureAwait(false);
            DisarmIdleTimer();
            _flushedTotal += length;
        }
        finally
        {
            Pool.Return(buffer);
        }
    }

    /// <summary>Sends <paramref name="line"/> on a best-effort basis with a short deadline (used after the idle timeout fired).</summary>
    public async ValueTask TrySendLastWordsAsync(string line)
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var bytes = Encoding.ASCII.GetBytes(line + "\r\n");
            await _stream.WriteAsync(bytes, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException or NotSupportedException)
        {
            // The client is gone or stuck; nothing more to say.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer.
        }

        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // Closing a TLS stream tries to send close_notify; the peer may be gone.
        }

        _socket.Dispose();
        _lifetime.Dispose();
        ReleaseInput();
        if (_output is not null)
        {
            Pool.Return(_output);
            _output = null;
            _outputLength = 0;
        }
    }

    private async ValueTask<bool> FillAsync(bool useIdleTimeout)
    {
        await FlushAsync().ConfigureAwait(false);
        if (_input is null || _inputStart == _inputEnd)
        {
            ReleaseInput();

            // Wait for data without holding a buffer, so thousands of idle sessions cost almost nothing.
            if (useIdleTimeout)
            {
                ArmIdleTimer();
            }

            await _stream.ReadAsync(Memory<byte>.Empty, Token).ConfigureAwait(false);
            _input = Pool.Rent(_bufferSize);
        }
        else if (_inputStart > 0)
        {
            _input.AsSpan(_inputStart, _inputEnd - _inputStart).CopyTo(_input);
            _inputEnd -= _inputStart;
            _inputStart = 0;
        }

        if (useIdleTimeout)
        {
            ArmIdleTimer();
        }

        var read = await _stream.ReadAsync(_input.AsMemory(_inputEnd), Token).ConfigureAwait(false);
        DisarmIdleTimer();
        if (read == 0)
        {
            return false;
        }

        _inputEnd += read;
        return true;
    }

    private void ReleaseInput()
    {
        if (_input is not null)
        {
            Pool.Return(_input);
            _input = null;
        }

        _inputStart = 0;
        _inputEnd = 0;
    }

    private byte[] EnsureOutputCapacity(int additional)
    {
        var needed = _outputLength + additional;
        if (_output is not null && _output.Length >= needed)
        {
            return _output;
        }

        var grown = Pool.Rent(Math.Max(needed, Math.Max(1024, (_output?.Length ?? 0) * 2)));
        if (_output is not null)
        {
            _output.AsSpan(0, _outputLength).CopyTo(grown);
            Pool.Return(_output);
        }

        _output = grown;
        return grown;
    }

    private void ArmIdleTimer()
    {
        if (IdleTimeout != Timeout.InfiniteTimeSpan && IdleTimeout > TimeSpan.Zero)
        {
            _lifetime.CancelAfter(IdleTimeout);
        }
    }

    private void DisarmIdleTimer() => _lifetime.CancelAfter(Timeout.InfiniteTimeSpan);
}
