using MailActors.Protocol.Smtp;
using MimeKit;

namespace MailActors.Outbox.Dsn;

/// <summary>Finds and reads the message/delivery-status part of an RFC 3464 DSN.</summary>
public static class DsnParser
{
    /// <summary>Parses the DSN in <paramref name="message"/>; false when it holds no delivery-status report.</summary>
    public static bool TryParse(MimeMessage message, out DeliveryStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(message);
        report = null!;
        var status = message.BodyParts.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (status is null || status.StatusGroups.Count == 0)
        {
            return false;
        }
        var perMessage = status.StatusGroups[0];
        var envid = perMessage["Original-Envelope-Id"] is { } raw ? DecodeXText(raw.Trim()) : null;
        var reportingMta = perMessage["Reporting-MTA"] is { } mta ? WithoutType(mta) : null;
        var recipients = new List<DsnRecipientReport>();
        for (var i = 1; i < status.StatusGroups.Count; i++)
        {
            var group = status.StatusGroups[i];
            var final = group["Final-Recipient"];
            var action = group["Action"];
            if (final is null || action is null)
            {
                continue;
            }
            recipients.Add(new DsnRecipientReport(
                group["Original-Recipient"] is { } original ? DecodeXText(WithoutType(original)) : null,
                DecodeXText(WithoutType(final)),
                ParseAction(action),
                (group["Status"] ?? "").Trim(),
                group["Diagnostic-Code"] is { } diagnostic ? Unfold(diagnostic) : null,
                group["Remote-MTA"] is { } remote ? WithoutType(remote) : null));
        }
        report = new DeliveryStatusReport(envid, reportingMta, recipients);
        return true;
    }

    /// <summary>Parses the DSN in the raw message <paramref name="content"/>.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> content, out DeliveryStatusReport report)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        return TryParse(MimeMessage.Load(stream), out report);
    }

    private static DsnAction ParseAction(string action) => action.Trim().ToLowerInvariant() switch
    {
        "failed" => DsnAction.Failed,
        "delayed" => DsnAction.Delayed,
        "delivered" => DsnAction.Delivered,
        "relayed" => DsnAction.Relayed,
        "expanded" => DsnAction.Expanded,
        var other => throw new FormatException($"Unknown DSN action '{other}'."),
    };

    /// <summary>"rfc822; a@b" → "a@b".</summary>
    private static string WithoutType(string value)
    {
        var text = Unfold(value);
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? text : text[(semicolon + 1)..]).Trim().Trim('<', '>');
    }

    private static string Unfold(string value) => string.Join(' ', value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));

    private static string DecodeXText(string value) => XText.TryDecode(value, out var decoded) ? decoded : value;
}
