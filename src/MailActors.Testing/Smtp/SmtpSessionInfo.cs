using System.Net;

namespace MailActors.Testing;

/// <summary>A snapshot of one SMTP session as the server saw it (kept only when recording).</summary>
public sealed record SmtpSessionInfo
{
    /// <summary>The session id, also in <see cref="ReceivedMessage.SessionId"/>.</summary>
    public required long Id { get; init; }

    /// <summary>The client's address.</summary>
    public required IPEndPoint? RemoteEndPoint { get; init; }

    /// <summary>The last EHLO/HELO argument, or null.</summary>
    public required string? HeloName { get; init; }

    /// <summary>Whether the session is encrypted.</summary>
    public required bool UsedTls { get; init; }

    /// <summary>The authenticated user, or null.</summary>
    public required string? AuthenticatedUser { get; init; }

    /// <summary>
    /// Bytes the client sent in plaintext after STARTTLS, before the handshake, which the server discarded unprocessed
    /// (non-zero means a client tried, or was made to try, command injection).
    /// </summary>
    public required long DiscardedPlaintextAfterStartTls { get; init; }

    /// <summary>The command lines received, in order, raw (AUTH continuation lines included, unredacted).</summary>
    public required IReadOnlyList<string> CommandLog { get; init; }

    /// <summary>Whether the connection is still open.</summary>
    public required bool IsOpen { get; init; }
}
