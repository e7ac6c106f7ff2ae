using System.Globalization;
using MailActors.Cli.Commands;

namespace MailActors.Cli.Load;

/// <summary>Parses the value syntaxes of the load and sink commands: durations and on/off switches.</summary>
internal static class ArgumentParsers
{
    /// <summary><c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>, or a plain number of seconds.</summary>
    public static TimeSpan Duration(string text, string option)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        var (number, unit) = trimmed.EndsWith("ms", StringComparison.Ordinal) ? (trimmed[..^2], 0.001)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1.0)
            : trimmed.EndsWith('m') ? (trimmed[..^1], 60.0)
            : trimmed.EndsWith('h') ? (trimmed[..^1], 3600.0)
            : (trimmed, 1.0);
        // Finite and within TimeSpan's range: "Infinity" and 1e300 parse as doubles but would throw OverflowException.
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            && double.IsFinite(value) && value * unit < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(value * unit)
            : throw new CliUsageException($"{option}: '{text}' is not a duration (e.g. 500ms, 10s, 5m, 1h).");
    }

    /// <summary><c>on</c>/<c>off</c> (also yes/no, true/false).</summary>
    public static bool OnOff(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "on" or "yes" or "true" or "1" => true,
        "off" or "no" or "false" or "0" => false,
        _ => throw new CliUsageException($"{option}: '{text}' is not on or off."),
    };
}
