using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailActors.Testing.Tests;

/// <summary>A deliberately dumb line-protocol client over a raw socket, for talking to the test servers byte by byte.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpClient _tcp;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    private RawClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    /// <summary>Bytes received but not yet consumed by a read.</summary>
    public int Buffered => _end - _start;

    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint, X509Certificate2? implicitTlsPin = null)
    {
        var tcp = new TcpClient(endPoint.AddressFamily);
        await tcp.ConnectAsync(endPoint.Address, endPoint.Port);
        var client = new RawClient(tcp, tcp.GetStream());
        if (implicitTlsPin is not null)
        {
            await client.UpgradeToTlsAsync(implicitTlsPin);
        }

        return client;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends one command line (CRLF added) and reads the SMTP reply.</summary>
    public async Task<SmtpReply> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Reads one SMTP reply (all its lines); throws if the server closes first.</summary>
    public async Task<SmtpReply> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException("Server closed the connection; lines so far: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return new SmtpReply(int.Parse(line[..3], System.Globalization.CultureInfo.InvariantCulture), lines);
            }
        }
    }

    /// <summary>Reads one CRLF-terminated line (without CRLF); null when the server closed.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var scanned = 0;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start + scanned, _end - _start - scanned);
            if (newline >= 0)
            {
                var length = newline - _start;
                var content = length > 0 && _buffer[newline - 1] == '\r' ? length - 1 : length;
                var line = Encoding.UTF8.GetString(_buffer, _start, content);
                _start = newline + 1;
                return line;
            }

            scanned = _end - _start;
            if (!await FillAsync())
            {
                return null;
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or fewer if the server closes.</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        var result = new List<byte>(count);
        while (result.Count < count)
        {
            if (_end == _start && !await FillAsync())
            {
                break;
            }

            var take = Math.Min(count - result.Count, _end - _start);
            result.AddRange(_buffer.AsSpan(_start, take).ToArray());
            _start += take;
        }

        return [.. result];
    }

    /// <summary>Whether the server has closed the connection, after consuming (and returning) anything still sent before the close.</summary>
    public async Task<(bool Closed, string Remainder)> ReadToEndAsync()
    {
        var remainder = new StringBuilder();
        remainder.Append(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
        _start = _end;
        try
        {
            while (await FillAsync())
            {
                remainder.Append(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
                _start = _end;
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }

        return (true, remainder.ToString());
    }

    /// <summary>Starts TLS on the connection (after a STARTTLS reply), trusting only <paramref name="pinned"/>.</summary>
    public async Task UpgradeToTlsAsync(X509Certificate2 pinned, string targetHost = "localhost")
    {
        var expected = pinned.GetCertHash(HashAlgorithmName.SHA256);
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(expected));
        using var timeout = new CancellationTokenSource(ReadTimeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = targetHost }, timeout.Token);
        _stream = tls;
    }

    /// <summary>The TLS stream, once upgraded.</summary>
    public SslStream? Tls => _stream as SslStream;

    public void ShutdownSend() => _tcp.Client.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (IOException)
        {
        }

        _tcp.Dispose();
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        using var timeout = new CancellationTokenSource(ReadTimeout);
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), timeout.Token);
        if (read == 0)
        {
            return false;
        }

        _end += read;
        return true;
    }
}

/// <summary>An SMTP reply as read by <see cref="RawClient"/>.</summary>
internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public string Last => Lines[^1];

    public override string ToString() => string.Join(" | ", Lines);
}
