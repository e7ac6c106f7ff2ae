using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailActors.Interop.Tests.SelfTests;

/// <summary>
/// A deliberately minimal CRLF line client over <see cref="TcpClient"/> (optionally upgraded to <see cref="SslStream"/>),
/// so the fixture can be checked without any MailActors client code.
/// </summary>
internal sealed class RawLineConnection : IAsyncDisposable
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(15);
    private readonly TcpClient _client;
    private Stream _stream;
    private StreamReader _reader;

    private RawLineConnection(TcpClient client, Stream stream)
    {
        _client = client;
        _stream = stream;
        _reader = NewReader(stream);
    }

    /// <summary>Connects in plain text.</summary>
    public static async Task<RawLineConnection> ConnectAsync(string host, int port)
    {
        var client = new TcpClient();
        using var timeout = new CancellationTokenSource(IoTimeout);
        await client.ConnectAsync(host, port, timeout.Token);
        return new RawLineConnection(client, client.GetStream());
    }

    /// <summary>Connects and performs a TLS handshake at once (implicit TLS).</summary>
    public static async Task<RawLineConnection> ConnectTlsAsync(string host, int port, SslClientAuthenticationOptions options)
    {
        var connection = await ConnectAsync(host, port);
        await connection.StartTlsAsync(options);
        return connection;
    }

    /// <summary>The TLS stream once <see cref="StartTlsAsync"/> ran, else null.</summary>
    public SslStream? Tls => _stream as SslStream;

    /// <summary>Performs a TLS handshake on the open connection (STARTTLS / STLS upgrade).</summary>
    public async Task StartTlsAsync(SslClientAuthenticationOptions options)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(IoTimeout);
        await tls.AuthenticateAsClientAsync(options, timeout.Token);
        _stream = tls;
        _reader = NewReader(tls);
    }

    /// <summary>Sends one line terminated by CRLF.</summary>
    public async Task SendLineAsync(string line)
    {
        using var timeout = new CancellationTokenSource(IoTimeout);
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>Reads one line without its CRLF; fails if the peer closes first.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(IoTimeout);
        return await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("connection closed");
    }

    /// <summary>Reads a complete, possibly multi-line, SMTP reply (lines until one whose fourth character is not '-').</summary>
    public async Task<IReadOnlyList<string>> ReadSmtpReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return lines;
            }
        }
    }

    /// <summary>Sends a command and returns its SMTP reply.</summary>
    public async Task<IReadOnlyList<string>> SmtpCommandAsync(string command)
    {
        await SendLineAsync(command);
        return await ReadSmtpReplyAsync();
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }

    // Latin-1 keeps bytes 1:1 if a server sends non-UTF-8; replies in these tests are ASCII anyway.
    private static StreamReader NewReader(Stream stream) => new(stream, Encoding.Latin1, false, 1024, leaveOpen: true);
}
