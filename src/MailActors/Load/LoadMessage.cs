using MailActors.Smtp;

namespace MailActors.Load;

/// <summary>One generated message: its number, envelope and content (per-message headers over a shared body).</summary>
/// <param name="Number">The message number (1, 2, ...).</param>
/// <param name="Sender">Envelope sender.</param>
/// <param name="Recipients">Envelope recipients.</param>
/// <param name="Content">Headers and body, streamed without copying the body.</param>
/// <param name="Length">Octets of content (what a sink counts after dot-unstuffing).</param>
public sealed record LoadMessage(long Number, string Sender, IReadOnlyList<SmtpSession.TransactionRecipient> Recipients, MessageContent Content, long Length);
