using MailActors.Protocol.Smtp;

namespace MailActors.Delivery;

/// <summary>Where a recipient stands after the engine is done with it.</summary>
public enum DeliveryStatus
{
    /// <summary>A server accepted responsibility (2xx after the content).</summary>
    Delivered,
    /// <summary>Not delivered yet, may succeed later: 4xx, timeout, lost connection, open circuit, or attempts used up.</summary>
    Deferred,
    /// <summary>Refused for good (5xx).</summary>
    Failed,
}

/// <summary>One recipient's outcome and the reply (or error) that decided it.</summary>
/// <param name="Address">The recipient.</param>
/// <param name="Status">Delivered, deferred or failed.</param>
/// <param name="Reply">The deciding server reply; null when no server answered (connection loss, timeout, circuit open).</param>
/// <param name="Error">What went wrong when there is no reply to tell it.</param>
public sealed record RecipientOutcome(string Address, DeliveryStatus Status, SmtpReply? Reply, string? Error = null);

/// <summary>The result of <see cref="Mailer.SendAsync"/>: one outcome per recipient.</summary>
/// <param name="MessageId">The message's id.</param>
/// <param name="Recipients">Outcomes, in the order of the message's recipients.</param>
/// <param name="Attempts">Transactions tried (across all routes the recipients needed).</param>
/// <param name="Elapsed">From acceptance by the engine to the last outcome.</param>
public sealed record DeliveryReport(string MessageId, IReadOnlyList<RecipientOutcome> Recipients, int Attempts, TimeSpan Elapsed)
{
    /// <summary>True when every recipient was delivered.</summary>
    public bool AllDelivered
    {
        get
        {
            foreach (var recipient in Recipients)
            {
                if (recipient.Status != DeliveryStatus.Delivered)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>The recipients with the given status.</summary>
    public IEnumerable<RecipientOutcome> With(DeliveryStatus status) => Recipients.Where(r => r.Status == status);
}
