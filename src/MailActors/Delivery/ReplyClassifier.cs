using MailActors.Protocol.Smtp;

namespace MailActors.Delivery;

/// <summary>Turns replies into delivery decisions, using the enhanced status code where the server sent one.</summary>
internal static class ReplyClassifier
{
    /// <summary>2xx delivered, 4xx deferred, 5xx failed; an enhanced code's class wins over a contradicting basic code.</summary>
    public static DeliveryStatus Classify(SmtpReply reply)
    {
        if (reply.EnhancedCode is { Class: var cls } && cls != reply.Code / 100 && reply.Code >= 400)
        {
            // e.g. "550 4.2.2 mailbox full" is treated by most MTAs as transient.
            return cls == 4 ? DeliveryStatus.Deferred : cls == 5 ? DeliveryStatus.Failed : DeliveryStatus.Deferred;
        }
        return reply.Code switch
        {
            >= 200 and < 300 => DeliveryStatus.Delivered,
            >= 500 => DeliveryStatus.Failed,
            _ => DeliveryStatus.Deferred,
        };
    }

    /// <summary>
    /// True for replies that mean "slow down": 421 (the server is closing), enhanced codes 4.7.x (policy, often
    /// rate limits) and 4.4.2/4.3.2 or texts that speak of rates and connection limits.
    /// </summary>
    public static bool IsThrottleSignal(SmtpReply reply)
    {
        if (reply.Code == 421)
        {
            return true;
        }
        if (reply.Code is < 400 or >= 500)
        {
            return false;
        }
        if (reply.EnhancedCode is { Class: 4, Subject: 7 } or { Class: 4, Subject: 4, Detail: 2 } or { Class: 4, Subject: 3, Detail: 2 })
        {
            return true;
        }
        var text = reply.Text;
        return text.Contains("rate", StringComparison.OrdinalIgnoreCase)
            || text.Contains("too many", StringComparison.OrdinalIgnoreCase)
            || text.Contains("try again later", StringComparison.OrdinalIgnoreCase) && text.Contains("connection", StringComparison.OrdinalIgnoreCase);
    }
}
