using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MailActors.Pop3.Fetch;

/// <summary>
/// A Maildir folder (<c>tmp/</c>, <c>new/</c>, <c>cur/</c>) that messages are delivered into the crash-safe way the
/// Maildir specification prescribes: written under a unique name in <c>tmp/</c>, synced to disk, renamed into
/// <c>new/</c> (atomic), and the directory synced. A message is therefore either wholly in <c>new/</c> or not there at all.
/// </summary>
public sealed class Maildir
{
    private static long _deliveries;

    /// <summary>Opens (creating when missing) the Maildir at <paramref name="root"/>.</summary>
    public Maildir(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        foreach (var sub in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(Path.Combine(Root, sub));
        }
    }

    /// <summary>The folder holding <c>tmp/</c>, <c>new/</c> and <c>cur/</c>.</summary>
    public string Root { get; }

    /// <summary>Store messages with LF line endings, as Maildir readers expect (on by default); off keeps CRLF.</summary>
    public bool UnixLineEndings { get; init; } = true;

    /// <summary>The message files in <c>new/</c> and <c>cur/</c>.</summary>
    public IEnumerable<string> MessageFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "new")).Concat(Directory.EnumerateFiles(Path.Combine(Root, "cur")));

    /// <summary>
    /// Delivers one message: <paramref name="writeContent"/> writes it to a file in <c>tmp/</c>, which is then synced,
    /// renamed into <c>new/</c>, and <c>new/</c> synced. On failure the file in <c>tmp/</c> is removed.
    /// </summary>
    /// <param name="writeContent">Writes the message (CRLF or LF line endings) to the stream it is given.</param>
    /// <param name="tag">Text appended to the unique name as <c>,U=tag</c> so a delivery can be recognised later; letters and digits.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>The path of the message in <c>new/</c>.</returns>
    public async Task<string> DeliverAsync(Func<Stream, Task> writeContent, string? tag = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        if (tag is not null && !tag.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("A Maildir tag must be ASCII letters and digits.", nameof(tag));
        }
        var name = UniqueName() + (tag is null ? "" : ",U=" + tag);
        var temporary = Path.Combine(Root, "tmp", name);
        var final = Path.Combine(Root, "new", name);
        try
        {
            var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
            });
            await using (file.ConfigureAwait(false))
            {
                if (UnixLineEndings)
                {
                    var converter = new UnixLineEndingStream(file);
                    await writeContent(converter).ConfigureAwait(false);
                    await converter.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await writeContent(file).ConfigureAwait(false);
                }
                cancellationToken.ThrowIfCancellationRequested();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, final);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        DurableFiles.SyncDirectory(Path.Combine(Root, "new"));
        return final;
    }

    /// <summary>
    /// Removes what interrupted deliveries left in <c>tmp/</c>: files named by a process of this host that no longer
    /// runs, and any file not modified for <paramref name="staleAfter"/> (36 hours by default, the Maildir
    /// specification's rule for files another host or program may still be writing).
    /// </summary>
    /// <returns>How many files were removed.</returns>
    public int RemoveStaleTemporaryFiles(TimeSpan? staleAfter = null)
    {
        var cutoff = DateTime.UtcNow - (staleAfter ?? TimeSpan.FromHours(36));
        var host = SafeHostName();
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(Path.Combine(Root, "tmp")))
        {
            var abandoned = WriterOf(Path.GetFileName(path), host) is { } pid && !IsRunning(pid);
            if ((abandoned || File.GetLastWriteTimeUtc(path) < cutoff) && TryDelete(path))
            {
                removed++;
            }
        }
        return removed;
    }

    /// <summary>The process id in a name <see cref="UniqueName"/> made on <paramref name="host"/>, or null for anyone else's file.</summary>
    private static int? WriterOf(string name, string host)
    {
        var parts = name.Split(',', 2)[0].Split('.', 3);
        if (parts.Length != 3 || parts[2] != host)
        {
            return null;
        }
        var unique = parts[1];
        var p = unique.IndexOf('P', StringComparison.Ordinal);
        var q = unique.IndexOf('Q', StringComparison.Ordinal);
        return p >= 0 && q > p && int.TryParse(unique.AsSpan(p + 1, q - p - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The tag of a message file name (the text after <c>,U=</c> up to the next <c>,</c> or <c>:</c>), or null.</summary>
    public static string? TagOf(string path)
    {
        var name = Path.GetFileName(path);
        var start = name.IndexOf(",U=", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        start += 3;
        var end = name.IndexOfAny([',', ':'], start);
        return end < 0 ? name[start..] : name[start..end];
    }

    /// <summary><c>time.MusecPpidQn.host</c>, unique per process and host as the Maildir specification asks.</summary>
    private static string UniqueName()
    {
        var now = DateTimeOffset.UtcNow;
        var seconds = now.ToUnixTimeSeconds();
        var microseconds = (now.Ticks / 10) % 1_000_000;
        var sequence = Interlocked.Increment(ref _deliveries);
        return string.Create(CultureInfo.InvariantCulture,
            $"{seconds}.M{microseconds}P{Environment.ProcessId}Q{sequence}R{Random.Shared.Next():x}.{SafeHostName()}");
    }

    private static string SafeHostName()
    {
        var host = Environment.MachineName;
        var safe = new StringBuilder(host.Length);
        foreach (var c in host)
        {
            safe.Append(c switch { '/' => "\\057", ':' => "\\072", ',' => "\\054", _ => c.ToString() });
        }
        return safe.ToString();
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Trace.TraceWarning($"Could not remove {path}: {e.Message}");
            return false;
        }
    }
}
