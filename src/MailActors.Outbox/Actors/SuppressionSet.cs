using System.Collections.Concurrent;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.Actors;

/// <summary>The in-memory mirror of the persisted suppression list, read by partitions and the enqueue path without asking an actor.</summary>
internal sealed class SuppressionSet
{
    private readonly ConcurrentDictionary<string, string> _reasons = new(StringComparer.OrdinalIgnoreCase);
    // Kept beside the dictionary because its IsEmpty and Count take every lock when it is empty, the common case.
    private int _entries;

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

    public bool TryGetReason(string address, out string reason)
    {
        if (Volatile.Read(ref _entries) == 0)
        {
            // The common case, asked for every recipient at enqueue and at every attempt: no need to normalise.
            reason = "";
            return false;
        }
        return _reasons.TryGetValue(Normalize(address), out reason!);
    }

    public void Set(string address, string reason)
    {
        var key = Normalize(address);
        if (_reasons.TryAdd(key, reason))
        {
            Interlocked.Increment(ref _entries);
        }
        else
        {
            _reasons[key] = reason;
        }
    }

    public void Remove(string address)
    {
        if (_reasons.TryRemove(Normalize(address), out _))
        {
            Interlocked.Decrement(ref _entries);
        }
    }

    public int Count => _reasons.Count;
}
