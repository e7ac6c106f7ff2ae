using System.Net;
using System.Security.Authentication;
using System.Text;

namespace MailActors.Testing;

/// <summary>A message the SMTP test server accepted, with its envelope and how it arrived.</summary>
public sealed record ReceivedMessage
{
    /// <summary>The id the server gave in its "queued as" reply.</summary>
    public required string QueueId { get; init; }

    /// <summary>The session (connection) that delivered the message; see <see cref="SmtpTestServer.Sessions"/>.</summary>
    public required long SessionId { get; init; }

    /// <summary>Sender, recipients and their parameters.</summary>
    public required SmtpEnvelope Envelope { get; init; }

    /// <summary>
    /// The content exactly as the client meant it: for DATA, dot-unstuffed and without the terminating "." line
    /// (the CRLF ending the last line is part of the content); for BDAT, the chunks concatenated.
    /// </summary>
    public required ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>Whether the session was encrypted (STARTTLS or implicit TLS) when the message arrived.</summary>
    public required bool UsedTls { get; init; }

    /// <summary>The negotiated TLS version, or <see cref="SslProtocols.None"/>.</summary>
    public required SslProtocols TlsProtocol { get; init; }

    /// <summary>The user the client authenticated as, or null.</summary>
    public required string? AuthenticatedUser { get; init; }

    /// <summary>Whether the content came by BDAT (CHUNKING) rather than DATA.</summary>
    public required bool UsedBdat { get; init; }

    /// <summary>The argument of the client's EHLO or HELO.</summary>
    public required string? HeloName { get; init; }

    /// <summary>Whether the client greeted with EHLO (true) or HELO (false).</summary>
    public required bool UsedEhlo { get; init; }

    /// <summary>The client's address.</summary>
    public required IPEndPoint? RemoteEndPoint { get; init; }

    /// <summary>When the server accepted the message.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The content decoded as UTF-8 (convenience for assertions).</summary>
    public string DataText => Encoding.UTF8.GetString(Data.Span);
}
