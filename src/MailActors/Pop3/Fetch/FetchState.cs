using System.Security.Cryptography;
using System.Text;

namespace MailActors.Pop3.Fetch;

/// <summary>
/// What <see cref="MaildirFetcher"/> remembers between runs for one account: the UIDLs of the messages it has stored,
/// one per line in a small append-only file, synced after every line. Every stored message also carries a tag derived
/// from account and UIDL in its Maildir file name, so a crash between storing a message and recording it is healed on
/// the next load: the message is recognised in the Maildir and recorded then, never fetched a second time.
/// </summary>
public sealed class FetchState
{
    private readonly HashSet<string> _stored;
    private readonly HashSet<string> _tagsInMaildir;
    private readonly string _account;
    private bool _startWithNewline;

    private FetchState(string path, string account, HashSet<string> stored, HashSet<string> tagsInMaildir)
    {
        Path = path;
        _account = account;
        _stored = stored;
        _tagsInMaildir = tagsInMaildir;
    }

    /// <summary>The state file.</summary>
    public string Path { get; }

    /// <summary>UIDLs recorded as stored.</summary>
    public IReadOnlyCollection<string> StoredUids => _stored;

    /// <summary>The default state file for <paramref name="account"/> inside the Maildir: <c>.mailactors-fetch-HASH.uidl</c>.</summary>
    public static string DefaultPath(Maildir maildir, string account)
    {
        ArgumentNullException.ThrowIfNull(maildir);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(account)))[..16];
        return System.IO.Path.Combine(maildir.Root, $".mailactors-fetch-{hash}.uidl");
    }

    /// <summary>Reads the state file (a missing one is empty) and notes which tagged messages the Maildir holds.</summary>
    /// <param name="path">The state file.</param>
    /// <param name="account">Identifies the mailbox, for example <c>user@host:port</c>; UIDLs are unique only per mailbox.</param>
    /// <param name="maildir">Where the messages are stored.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<FetchState> LoadAsync(string path, string account, Maildir maildir, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(maildir);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var torn = false;
        if (File.Exists(path))
        {
            var text = await File.ReadAllTextAsync(path, Encoding.ASCII, cancellationToken).ConfigureAwait(false);
            torn = text.Length > 0 && !text.EndsWith('\n');
            foreach (var line in text.Split('\n'))
            {
                // A crash can leave a torn last line; a UIDL is printable ASCII without blanks, so anything else is dropped.
                if (line.Length > 0 && line.All(c => c is > ' ' and <= '~'))
                {
                    stored.Add(line);
                }
            }
        }
        var tags = maildir.MessageFiles().Select(Maildir.TagOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return new FetchState(path, account, stored, tags) { _startWithNewline = torn };
    }

    /// <summary>The Maildir tag of <paramref name="uid"/> for this account.</summary>
    public string TagOf(string uid) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_account + "\n" + uid)))[..32];

    /// <summary>Whether the message with <paramref name="uid"/> is already stored (recorded, or found in the Maildir by its tag).</summary>
    public bool IsStored(string uid) => _stored.Contains(uid) || _tagsInMaildir.Contains(TagOf(uid));

    /// <summary>Records <paramref name="uid"/> as stored: appended to the state file and synced before this returns.</summary>
    public async Task RecordAsync(string uid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uid);
        if (!_stored.Add(uid))
        {
            return;
        }
        var created = !File.Exists(Path);
        var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            // After a torn last line, start on a fresh line so the two never merge.
            var line = Encoding.ASCII.GetBytes((_startWithNewline ? "\n" : "") + uid + "\n");
            await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        _startWithNewline = false;
        if (created)
        {
            DurableFiles.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        }
    }
}
