namespace MailActors.Interop.Tests.Infrastructure;

/// <summary>
/// Reads <c>scripts/servers/ports.env</c>, the single place that fixes ports, users and passwords of the real servers.
/// The file holds plain <c>KEY=VALUE</c> lines (optionally double-quoted values) so both bash and the tests can read it.
/// </summary>
public sealed class PortsFile
{
    private readonly IReadOnlyDictionary<string, string> _values;

    private PortsFile(IReadOnlyDictionary<string, string> values) => _values = values;

    /// <summary>Parses the file at <paramref name="path"/>.</summary>
    public static PortsFile Load(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"{path}: not a KEY=VALUE line: {raw}");
            }

            values[line[..equals]] = line[(equals + 1)..].Trim('"');
        }

        return new PortsFile(values);
    }

    /// <summary>The value of <paramref name="key"/>; throws when the file lacks it.</summary>
    public string Get(string key) =>
        _values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"ports.env has no {key}");

    /// <summary>The value of <paramref name="key"/> as a port or other integer.</summary>
    public int GetInt(string key) => int.Parse(Get(key), System.Globalization.CultureInfo.InvariantCulture);
}
