using System.Collections.Concurrent;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.Actors;

/// <summary>The in-memory mirror of the persisted suppression list, read by partitions and the enqueue path without asking an actor.</summary>
internal sealed class SuppressionSet
{
    private readonly ConcurrentDictionary<string, string> _reasons = new(StringComparer.OrdinalIgnoreCase);
    // Kept beside the dictionary because its IsEmpty and Count take every lock when it is empty, the common case.
    private int _entries;

    /// <summary>
    /// The form addresses are compared in: the mailbox as a route reads it, without angle brackets, case-insensitive.
    /// Without <paramref name="exactAddresses"/> the address is taken out of the text as Net::SMTP does
    /// (<c>Bob &lt;bob@x&gt;</c> is <c>bob@x</c>, and so is <c>"a &lt;bob@x&gt;"@y</c>); with it, text that is a path
    /// as written is that mailbox (<c>"a &lt;bob@x&gt;"@y</c> stays itself), and any other text is read as without.
    /// </summary>
    public static string Normalize(string address, bool exactAddresses = false)
    {
        var trimmed = address.Trim();
        // Only an exact reading that is a path counts: such a route refuses the rest at enqueue, so they come from
        // callers (SuppressAsync, a DSN's Final-Recipient) who mean the address inside, as they always did.
        if (exactAddresses && MailboxOf(trimmed, exactAddresses: true) is { } exact)
        {
            return exact;
        }
        return MailboxOf(trimmed, exactAddresses: false) ?? trimmed.Trim('<', '>');
    }

    private static string? MailboxOf(string trimmed, bool exactAddresses)
    {
        try
        {
            var path = SmtpPath.ToPath(trimmed, exactAddresses);
            return path.Length >= 2 ? path[1..^1] : trimmed;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whether the list is empty: then nobody needs to work out how an address is read.</summary>
    public bool IsEmpty => Volatile.Read(ref _entries) == 0;

    /// <summary>Whether <paramref name="address"/>, read as its route reads it (<see cref="Normalize"/>), is on the list, and why.</summary>
    public bool TryGetReason(string address, bool exactAddresses, out string reason)
    {
        if (IsEmpty)
        {
            // The common case, asked for every recipient at enqueue and at every attempt: no need to normalise.
            reason = "";
            return false;
        }
        return _reasons.TryGetValue(Normalize(address, exactAddresses), out reason!);
    }

    /// <summary>Whether <paramref name="address"/>, read as a route without exact-addresses reads it, is on the list: where no route is known.</summary>
    public bool TryGetReason(string address, out string reason) => TryGetReason(address, exactAddresses: false, out reason);

    /// <summary>Adds or updates a journaled entry.</summary>
    /// <param name="key">The address as it was journaled (already in <see cref="Normalize"/>'s form).</param>
    /// <param name="reason">Why it is suppressed.</param>
    public void Set(string key, string reason)
    {
        key = KeyOf(key);
        if (_reasons.TryAdd(key, reason))
        {
            Interlocked.Increment(ref _entries);
        }
        else
        {
            _reasons[key] = reason;
        }
    }

    /// <summary>Removes a journaled entry (<paramref name="key"/> as in <see cref="Set"/>).</summary>
    public void Remove(string key)
    {
        if (_reasons.TryRemove(KeyOf(key), out _))
        {
            Interlocked.Decrement(ref _entries);
        }
    }

    // A journaled key is a mailbox already, in either reading: the exact reading leaves it as it is, where the default
    // one would take b@c out of the key "a <b@c>"@x that a route with exact-addresses suppressed.
    private static string KeyOf(string key) => Normalize(key, exactAddresses: true);

    public int Count => _reasons.Count;
}
