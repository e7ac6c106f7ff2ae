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
///   OPTION    every=N | p=PROBABILITY | seed=N | times=N | match=SUBSTRING
///   DURATION  N (milliseconds) | Nms | Ns
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
                    everyNth = ParseInt(value, spec);
                    break;
                case "p":
                    probability = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1
                        ? p
                        : throw new FormatException($"Bad probability '{value}' in fault spec '{spec}'.");
                    break;
                case "seed":
                    seed = ParseInt(value, spec);
                    break;
                case "times":
                    times = ParseInt(value, spec);
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
            "delay" when argument is not null => FaultAction.Delay(ParseDuration(argument, spec)),
            "tarpit" => FaultAction.Tarpit(),
            "garbage" when argument is not null => FaultAction.Garbage(argument),
            "overlong" when argument is not null => FaultAction.OverlongLine(ParseInt(argument, spec)),
            "unterminated" => FaultAction.UnterminatedMultiline(argument is null ? null : ParseInt(argument, spec)),
            _ => throw new FormatException($"Unknown or incomplete action '{text}' in fault spec '{spec}'."),
        };
    }

    private static TimeSpan ParseDuration(string text, string spec)
    {
        var trimmed = text.Trim();
        var (number, unit) = trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (trimmed[..^2], 1.0)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1000.0)
            : (trimmed, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromMilliseconds(value * unit)
            : throw new FormatException($"Bad duration '{text}' in fault spec '{spec}'.");
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
