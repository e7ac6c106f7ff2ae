using System.Globalization;

namespace MailActors.Testing;

/// <summary>
/// A POP3 maildrop: an ordered, thread-safe list of messages, served from memory or loaded from a Maildir folder.
/// A session locks it for its TRANSACTION state (a second session gets <c>-ERR [IN-USE]</c>) and commits its
/// deletions only on QUIT. Messages can be added while sessions run; a session sees the mailbox as it was at login.
/// </summary>
public sealed class Pop3Mailbox
{
    private readonly object _gate = new();
    private readonly List<Pop3StoredMessage> _messages = [];
    private object? _lockOwner;
    private long _nextUid;
    private long _deletionsCommitted;

    /// <summary>Creates an empty mailbox.</summary>
    public Pop3Mailbox()
    {
    }

    /// <summary>The messages now in the mailbox (a snapshot, in order).</summary>
    public IReadOnlyList<Pop3StoredMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>How many message deletions sessions have committed (by QUIT) in this mailbox.</summary>
    public long DeletionsCommitted => Interlocked.Read(ref _deletionsCommitted);

    /// <summary>Whether a session holds the mailbox (is in TRANSACTION state).</summary>
    public bool IsLocked
    {
        get
        {
            lock (_gate)
            {
                return _lockOwner is not null;
            }
        }
    }

    /// <summary>Creates a mailbox holding <paramref name="messages"/> (served as given: use CRLF line endings).</summary>
    public static Pop3Mailbox InMemory(IEnumerable<byte[]> messages)
    {
        var mailbox = new Pop3Mailbox();
        foreach (var message in messages)
        {
            mailbox.Add(message);
        }

        return mailbox;
    }

    /// <summary>
    /// Loads the messages of the Maildir at <paramref name="directory"/> (files in <c>new/</c> and <c>cur/</c>, by file
    /// name). Bare LF line endings become CRLF; the UID is the file name up to its <c>:2,</c> flags. Committed deletions
    /// delete the files.
    /// </summary>
    public static Pop3Mailbox FromMaildir(string directory)
    {
        var mailbox = new Pop3Mailbox();
        var files = new[] { "new", "cur" }
            .Select(sub => Path.Combine(directory, sub))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .OrderBy(Path.GetFileName, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            var uid = colon < 0 ? name : name[..colon];
            mailbox.Add(new Pop3StoredMessage(uid, LineEndings.ToCrLf(File.ReadAllBytes(file))) { FilePath = file });
        }

        return mailbox;
    }

    /// <summary>Appends a message with a generated UID; returns it.</summary>
    public Pop3StoredMessage Add(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var uid = string.Create(CultureInfo.InvariantCulture, $"m{Interlocked.Increment(ref _nextUid):D8}");
        return Add(new Pop3StoredMessage(uid, content));
    }

    /// <summary>Appends <paramref name="message"/>; returns it.</summary>
    public Pop3StoredMessage Add(Pop3StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            _messages.Add(message);
        }

        return message;
    }

    /// <summary>Takes the maildrop lock for <paramref name="owner"/> and returns the messages it will see, or null when another session holds it.</summary>
    internal IReadOnlyList<Pop3StoredMessage>? TryLock(object owner)
    {
        lock (_gate)
        {
            if (_lockOwner is not null && _lockOwner != owner)
            {
                return null;
            }

            _lockOwner = owner;
            return [.. _messages];
        }
    }

    /// <summary>Removes <paramref name="deleted"/> (the UPDATE state of a QUIT) and deletes their Maildir files; returns how many were removed.</summary>
    internal int Commit(object owner, IEnumerable<Pop3StoredMessage> deleted)
    {
        var removed = new List<Pop3StoredMessage>();
        lock (_gate)
        {
            if (_lockOwner != owner)
            {
                return 0;
            }

            foreach (var message in deleted)
            {
                if (_messages.Remove(message))
                {
                    removed.Add(message);
                }
            }
        }

        foreach (var path in removed.Select(message => message.FilePath).OfType<string>())
        {
            File.Delete(path);
        }

        Interlocked.Add(ref _deletionsCommitted, removed.Count);
        return removed.Count;
    }

    internal void Unlock(object owner)
    {
        lock (_gate)
        {
            if (_lockOwner == owner)
            {
                _lockOwner = null;
            }
        }
    }
}
