using MailActors.Protocol.Integrity;

namespace MailActors.Testing;

/// <summary>
/// Checks every accepted message against its <see cref="ContentDigest"/> header (the <c>X-MailActors-Digest</c> a
/// load run puts in each message) and counts the outcomes. Thread-safe.
/// </summary>
public sealed class IntegrityChecker : IMessageInspector
{
    private long _valid;
    private long _missing;
    private long _mismatch;

    /// <summary>Messages whose body matched the digest.</summary>
    public long Valid => Interlocked.Read(ref _valid);

    /// <summary>Messages without a digest header.</summary>
    public long Missing => Interlocked.Read(ref _missing);

    /// <summary>Messages whose body did not match (or named an unknown algorithm).</summary>
    public long Mismatch => Interlocked.Read(ref _mismatch);

    /// <inheritdoc />
    public ValueTask InspectAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> content)
    {
        switch (ContentDigest.Verify(content.Span))
        {
            case ContentDigestStatus.Valid:
                Interlocked.Increment(ref _valid);
                break;
            case ContentDigestStatus.Missing:
                Interlocked.Increment(ref _missing);
                break;
            default:
                Interlocked.Increment(ref _mismatch);
                break;
        }
        return ValueTask.CompletedTask;
    }
}
