namespace MailActors.Interop.Tests.Infrastructure;

/// <summary>Read access to the private Postfix instance's log (written by postlogd), for assertions' diagnostics.</summary>
public sealed class PostfixLog
{
    /// <summary>Creates a reader of the log file at <paramref name="path"/>.</summary>
    public PostfixLog(string path) => Path = path;

    /// <summary>Full path of the log file.</summary>
    public string Path { get; }

    /// <summary>Every line logged so far (the file is shared with the writer, so this never blocks Postfix).</summary>
    public async Task<IReadOnlyList<string>> ReadLinesAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        await using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>The lines that contain <paramref name="fragment"/>, e.g. a queue id or an address.</summary>
    public async Task<IReadOnlyList<string>> LinesContainingAsync(string fragment, CancellationToken cancellationToken = default)
    {
        var lines = await ReadLinesAsync(cancellationToken);
        return lines.Where(line => line.Contains(fragment, StringComparison.Ordinal)).ToList();
    }

    /// <summary>The last <paramref name="lineCount"/> lines as one string, for failure messages.</summary>
    public async Task<string> TailAsync(int lineCount = 40, CancellationToken cancellationToken = default)
    {
        var lines = await ReadLinesAsync(cancellationToken);
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Count - lineCount)));
    }
}
