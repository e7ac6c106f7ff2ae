using System.Globalization;

namespace MailActors.Load;

/// <summary>
/// Body sizes: one fixed size, or weighted sizes (<c>1k:60,10k:30,1m:10</c>). The size of message n is a pure function
/// of n, so two runs with the same options send the same sizes, and each distinct body is built only once.
/// </summary>
public sealed class SizeDistribution
{
    private readonly int[] _sizes;
    private readonly double[] _cumulative;

    private SizeDistribution(int[] sizes, double[] weights)
    {
        _sizes = sizes;
        _cumulative = new double[weights.Length];
        var total = weights.Sum();
        var running = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            running += weights[i] / total;
            _cumulative[i] = running;
        }
        _cumulative[^1] = 1.0;
    }

    /// <summary>The distinct sizes.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>Every message has <paramref name="bytes"/> octets of body.</summary>
    public static SizeDistribution Fixed(int bytes) =>
        bytes >= 0 ? new([bytes], [1.0]) : throw new ArgumentOutOfRangeException(nameof(bytes));

    /// <summary>Parses <c>2048</c>, <c>2k</c>, <c>1m</c>, or <c>SIZE:WEIGHT,SIZE:WEIGHT,...</c>; throws <see cref="FormatException"/>.</summary>
    public static SizeDistribution Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var entries = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new int[entries.Length];
        var weights = new double[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var colon = entries[i].IndexOf(':', StringComparison.Ordinal);
            sizes[i] = ParseSize(colon < 0 ? entries[i] : entries[i][..colon]);
            weights[i] = colon < 0 ? 1.0
                : double.TryParse(entries[i][(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && w > 0 ? w
                : throw new FormatException($"Bad weight in size '{entries[i]}'.");
        }
        return new SizeDistribution(sizes, weights);
    }

    /// <summary>Parses a byte count with an optional k/m/g suffix (powers of 1024): <c>2048</c>, <c>2k</c>, <c>2KB</c>, <c>1m</c>.</summary>
    public static int ParseSize(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed.EndsWith('b'))
        {
            trimmed = trimmed[..^1];
        }
        long multiplier = trimmed.Length > 0 ? trimmed[^1] switch { 'k' => 1024, 'm' => 1024 * 1024, 'g' => 1024 * 1024 * 1024, _ => 1 } : 1;
        if (multiplier > 1)
        {
            trimmed = trimmed[..^1];
        }
        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value * multiplier <= int.MaxValue
            ? (int)Math.Round(value * multiplier)
            : throw new FormatException($"Bad size '{text}' (bytes, or with a k/m/g suffix).");
    }

    /// <summary>The body size of message <paramref name="message"/>.</summary>
    public int SizeOf(long message)
    {
        if (_sizes.Length == 1)
        {
            return _sizes[0];
        }
        // A fixed mix of the message number (splitmix64) gives an even spread without shared random state.
        var x = unchecked((ulong)message + 0x9E3779B97F4A7C15UL);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        var u = (x >> 11) * (1.0 / (1UL << 53));
        for (var i = 0; i < _cumulative.Length; i++)
        {
            if (u < _cumulative[i])
            {
                return _sizes[i];
            }
        }
        return _sizes[^1];
    }

    /// <inheritdoc />
    public override string ToString() => _sizes.Length == 1
        ? _sizes[0].ToString(CultureInfo.InvariantCulture)
        : string.Join(',', _sizes.Select((s, i) => string.Create(CultureInfo.InvariantCulture, $"{s}:{(_cumulative[i] - (i == 0 ? 0 : _cumulative[i - 1])):0.###}")));
}
