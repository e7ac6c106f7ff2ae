using MailActors.Outbox.Persistence;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.State;

/// <summary>One recipient of an unfinished message (mutated only by <see cref="PartitionState.Apply"/>).</summary>
internal sealed class RecipientRecord(string address)
{
    public string Address { get; } = address;
    public RecipientState State { get; set; } = RecipientState.Queued;
    public int Attempts { get; set; }
    public SmtpReply? LastReply { get; set; }
    public string? LastError { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The failure was reported by a remote DSN, so the sender already has a notification.</summary>
    public bool ReportedByDsn { get; set; }

    public bool IsFinal => State is RecipientState.Delivered or RecipientState.Bounced or RecipientState.Expired or RecipientState.Suppressed;

    /// <summary>Waiting for an attempt: queued, deferred, or caught in flight by a crash.</summary>
    public bool IsPending => State is RecipientState.Queued or RecipientState.Deferred or RecipientState.InFlight;

    public RecipientStatus ToStatus() => new(Address, State, Attempts, LastReply, LastError, NextAttemptAt, UpdatedAt);

    public static RecipientRecord From(RecipientStatus status) => new(status.Address)
    {
        State = status.State,
        Attempts = status.Attempts,
        LastReply = status.LastReply,
        LastError = status.LastError,
        NextAttemptAt = status.NextAttemptAt,
        UpdatedAt = status.UpdatedAt,
    };
}

/// <summary>An unfinished message: envelope, content and per-recipient state.</summary>
internal sealed class MessageRecord(string id, DateTime acceptedAt, StoredEnvelope envelope, StoredContent content, RetryOverride? retry, RecipientRecord[] recipients)
{
    public string Id { get; } = id;
    public DateTime AcceptedAt { get; } = acceptedAt;
    public StoredEnvelope Envelope { get; } = envelope;
    public StoredContent Content { get; } = content;
    public RetryOverride? Retry { get; } = retry;
    public RecipientRecord[] Recipients { get; } = recipients;

    /// <summary>The ENVID the message is sent with (the message id unless the caller set one).</summary>
    public string EnvelopeId => Envelope.Parameters?.EnvelopeId ?? Id;

    public bool IsFinished => Recipients.All(r => r.IsFinal);

    public RecipientRecord? Recipient(string address)
    {
        foreach (var recipient in Recipients)
        {
            if (string.Equals(recipient.Address, address, StringComparison.OrdinalIgnoreCase))
            {
                return recipient;
            }
        }
        return null;
    }

    public MessageStatus ToStatus() => new(Id, EnvelopeId, Envelope.Sender, AcceptedAt, Recipients.Select(r => r.ToStatus()).ToArray());
}

/// <summary>
/// A DSN still to be generated for a finished message with failed recipients (kept until <see cref="DsnQueued"/>).
/// <paramref name="Content"/> is the message, or already only what the DSN quotes (see <see cref="Original"/>).
/// </summary>
internal sealed record DsnRequest(
    string MessageId,
    string EnvelopeId,
    string Sender,
    DateTime AcceptedAt,
    DsnReturn? Return,
    StoredContent Content,
    IReadOnlyList<DsnRecipient> Recipients)
{
    /// <summary>
    /// The route the message named, which says how its recipients' addresses read (exact-addresses or not). Not in
    /// snapshots: a DSN restored from one reads each recipient as the route its domain selects, the same route unless
    /// the message named another.
    /// </summary>
    public string? Route { get; init; }

    /// <summary>What the DSN quotes: the whole message for RET=FULL, its header section otherwise.</summary>
    public ReadOnlyMemory<byte> Original => Return == DsnReturn.Full ? Content.Bytes : PartitionState.HeaderSection(Content.Bytes);
}

/// <summary>A failed recipient in a <see cref="DsnRequest"/>.</summary>
internal sealed record DsnRecipient(string Address, string? OriginalRecipient, RecipientState State, SmtpReply? Reply, string? Error, DateTime At)
{
    /// <summary>The ORCPT as given pre-encoded (<c>addr-type;xtext</c>), when it was given so rather than as <see cref="OriginalRecipient"/>.</summary>
    public string? OriginalRecipientRaw { get; init; }
}
