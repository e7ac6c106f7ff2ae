using System.Globalization;
using System.Text;

namespace MailActors.Testing;

/// <summary>
/// Parses fault rules from compact text, for command lines such as <c>mailactors sink --fault ...</c>:
/// <code>
/// COMMANDS ':' ACTION [';' OPTION]*
///   COMMANDS  MAIL,RCPT | . | CONNECT | * | any verb, comma-separated (one rule per command)
///   ACTION    reply:TEXT | disconnect | disconnect-after | drop-reply | delay:DURATION | tarpit
///             | garbage:TEXT | overlong:N | unterminated[:N]
///   OPTION    every=N (N at least 1) | p=PROBABILITY (above 0, at most 1) | seed=N | times=N (N at least 1) | match=SUBSTRING
///   DURATION  N (seconds) | Nms | Ns | Nm | Nh, more than zero; N may have a fraction (0.5 = 500ms)
///   TEXT      up to the next ';'; \r \n \\ \; are escapes
/// </code>
/// Examples: <c>RCPT:reply:451 4.3.0 try later;every=3</c>, <c>.:disconnect</c>, <c>MAIL,RCPT:delay:2s;p=0.1;seed=7</c>,
/// <c>RCPT:reply:550 5.1.1 no such user;match=bounce@</c>.
/// </summary>
public static class FaultSpec
{
    /// <summary>Parses <paramref name="spec"/> into one rule per listed command; throws <see cref="FormatException"/> on bad input.</summary>
    public static IReadOnlyList<FaultRule> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = SplitUnescaped(spec);
        var head = parts[0];
        var colon = head.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException($"Fault spec '{spec}' needs COMMANDS:ACTION.");
        }

        var commands = head[..colon].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var action = ParseAction(head[(colon + 1)..], spec);
        int everyNth = 1;
        double probability = 1.0;
        int? seed = null;
        int? times = null;
        Func<string, bool>? match = null;
        foreach (var option in parts.Skip(1))
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (option, "") : (option[..equals].Trim(), option[(equals + 1)..]);
            switch (name.ToLowerInvariant())
            {
                case "every":
                    // every=0 would select no occurrence at all: a rule that never fires is refused, not kept silently.
                    everyNth = ParseInt(value, spec) is var n and >= 1 ? n : throw new FormatException($"every={value.Trim()} in fault spec '{spec}': N is at least 1.");
                    break;
                case "p":
                    // p=0 is refused like times=0: a rule that never fires.
                    probability = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 1
                        ? p
                        : throw new FormatException($"p={value.Trim()} in fault spec '{spec}': the probability is above 0 and at most 1.");
                    break;
                case "seed":
                    seed = ParseInt(value, spec);
                    break;
                case "times":
                    // As with every=0: a rule allowed to fire 0 times never fires, so it is refused rather than kept silently.
                    times = ParseInt(value, spec) is var t and >= 1 ? t : throw new FormatException($"times={value.Trim()} in fault spec '{spec}': N is at least 1 (a rule with times=0 never fires).");
                    break;
                case "match":
                    var needle = value;
                    match = argument => argument.Contains(needle, StringComparison.OrdinalIgnoreCase);
                    break;
                default:
                    throw new FormatException($"Unknown option '{name}' in fault spec '{spec}'.");
            }
        }

        return [.. commands.Select(command => new FaultRule
        {
            Command = command,
            Action = action,
            EveryNth = everyNth,
            Probability = probability,
            Seed = seed,
            Times = times,
            Match = match,
        })];
    }

    private static FaultAction ParseAction(string text, string spec)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var (name, argument) = colon < 0 ? (text.Trim(), null) : (text[..colon].Trim(), text[(colon + 1)..]);
        return name.ToLowerInvariant() switch
        {
            "reply" when argument is { Length: > 0 } => FaultAction.Reply(argument),
            "disconnect" => FaultAction.DisconnectBeforeReply(),
            "disconnect-after" => FaultAction.DisconnectAfterReply(),
            "drop-reply" => FaultAction.Disconnect(DisconnectPoint.AfterExecutingWithoutReply),
            "delay" when argument is not null => FaultAction.Delay(TryParseDuration(argument, out var duration) ? duration
                : throw new FormatException($"Bad duration '{argument}' in fault spec '{spec}' (N seconds, or Nms, Ns, Nm, Nh).")),
            "tarpit" => FaultAction.Tarpit(),
            "garbage" when argument is not null => FaultAction.Garbage(argument),
            "overlong" when argument is not null => FaultAction.OverlongLine(ParseInt(argument, spec)),
            "unterminated" => FaultAction.UnterminatedMultiline(argument is null ? null : ParseInt(argument, spec)),
            _ => throw new FormatException($"Unknown or incomplete action '{text}' in fault spec '{spec}'."),
        };
    }

    /// <summary>
    /// Parses the grammar's DURATION: a number of seconds, or a number with a unit — <c>ms</c>, <c>s</c>, <c>m</c>,
    /// <c>h</c> (<c>150ms</c>, <c>2s</c>, <c>5</c> = 5 seconds) — more than zero. <c>mailactors sink --delay</c> parses its
    /// durations here too, so that <c>--delay .:5</c> and <c>--fault .:delay:5</c> wait the same time.
    /// </summary>
    /// <returns>Whether <paramref name="text"/> is such a duration.</returns>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim().ToLowerInvariant();
        // Counted in milliseconds so that whole units stay exact (150ms is 150 x 1, not 150 x 0.001).
        var (number, milliseconds) = trimmed.EndsWith("ms", StringComparison.Ordinal) ? (trimmed[..^2], 1.0)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1000.0)
            : trimmed.EndsWith('m') ? (trimmed[..^1], 60_000.0)
            : trimmed.EndsWith('h') ? (trimmed[..^1], 3_600_000.0)
            : (trimmed, 1000.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value * milliseconds is var total && double.IsFinite(total) && total > 0 && total < TimeSpan.MaxValue.TotalMilliseconds)
        {
            duration = TimeSpan.FromMilliseconds(total);
            return true;
        }
        duration = default;
        return false;
    }

    private static int ParseInt(string text, string spec) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new FormatException($"Bad number '{text}' in fault spec '{spec}'.");

    /// <summary>Splits on ';' and resolves the escapes \r \n \\ \;.</summary>
    private static List<string> SplitUnescaped(string spec)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < spec.Length; i++)
        {
            var c = spec[i];
            if (c == '\\' && i + 1 < spec.Length)
            {
                var next = spec[++i];
                current.Append(next switch { 'r' => '\r', 'n' => '\n', _ => next });
            }
            else if (c == ';')
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        parts.Add(current.ToString());
        return parts;
    }
}
