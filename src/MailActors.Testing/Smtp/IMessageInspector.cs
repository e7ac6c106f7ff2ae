namespace MailActors.Testing;

/// <summary>Sees every message an <see cref="SmtpTestServer"/> accepts, before the server replies 250 (see <see cref="SmtpTestServerOptions.Inspectors"/>).</summary>
public interface IMessageInspector
{
    /// <summary>Looks at one accepted message; called from the session's task, concurrently for different sessions.</summary>
    /// <param name="envelope">Sender, recipients and parameters.</param>
    /// <param name="content">The content as the client meant it (dot-unstuffed, without the final dot line).</param>
    ValueTask InspectAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> content);
}
