using MailActors.Protocol.Smtp;

namespace MailActors.Outbox;

/// <summary>Tells hard bounces (the address itself is bad, so it is suppressed) from other permanent failures.</summary>
public static class BounceClassifier
{
    /// <summary>
    /// Hard: enhanced status 5.1.1 (no such mailbox), 5.1.2 (bad destination system), 5.1.3 (bad address syntax),
    /// 5.1.6 (mailbox moved) or 5.1.10 (null MX). Policy, content and capacity failures (5.7.x, 5.3.4, 5.2.2...) are not
    /// hard: the same address may work for another message. Without an enhanced code nothing is called hard.
    /// </summary>
    public static bool IsHard(EnhancedStatusCode? code) =>
        code is { Class: 5, Subject: 1, Detail: 1 or 2 or 3 or 6 or 10 };

    /// <summary><see cref="IsHard(EnhancedStatusCode?)"/> for a reply.</summary>
    public static bool IsHard(SmtpReply? reply) => reply is not null && reply.Code >= 500 && IsHard(reply.EnhancedCode);

    /// <summary><see cref="IsHard(EnhancedStatusCode?)"/> for a DSN status field such as <c>5.1.1</c>.</summary>
    public static bool IsHard(string? status) =>
        status is not null && EnhancedStatusCode.TryParse(status.Trim(), out var code, out _) && IsHard(code);
}
