using System.Collections.Concurrent;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.Actors;

/// <summary>The in-memory mirror of the persisted suppression list, read by partitions and the enqueue path without asking an actor.</summary>
internal sealed class SuppressionSet
{
    private readonly ConcurrentDictionary<string, string> _reasons = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The form addresses are compared in: the bare address without angle brackets, case-insensitive.</summary>
    public static string Normalize(string address)
    {
        var trimmed = address.Trim();
        try
        {
            var path = SmtpPath.ToPath(trimmed);
            return path.Length >= 2 ? path[1..^1] : trimmed;
        }
        catch (ArgumentException)
        {
            return trimmed.Trim('<', '>');
        }
    }

    public bool TryGetReason(string address, out string reason) => _reasons.TryGetValue(Normalize(address), out reason!);

    public void Set(string address, string reason) => _reasons[Normalize(address)] = reason;

    public void Remove(string address) => _reasons.TryRemove(Normalize(address), out _);

    public int Count => _reasons.Count;
}
