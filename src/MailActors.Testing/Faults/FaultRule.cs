namespace MailActors.Testing;

/// <summary>
/// One fault-injection rule: when the client reaches <see cref="Command"/> and the selection criteria hold,
/// the server performs <see cref="Action"/> instead of its normal handling. Selection is evaluated in this order:
/// command, <see cref="Match"/>, <see cref="Times"/> (rule exhausted?), <see cref="EveryNth"/> (counting the matching
/// occurrences), <see cref="Probability"/>. A rule is safe to share between sessions and servers.
/// </summary>
public sealed class FaultRule
{
    private readonly object _gate = new();
    private Random? _random;
    private long _occurrences;
    private long _fired;
    private int? _times;
    private int _everyNth = 1;
    private double _probability = 1.0;

    /// <summary>
    /// The step the rule applies to: a command verb (<c>"RCPT"</c>, <c>"RETR"</c>, ...) or one of the special names in
    /// <see cref="FaultCommands"/> (<see cref="FaultCommands.Connect"/>, <see cref="FaultCommands.EndOfData"/>,
    /// <see cref="FaultCommands.Any"/>). Case-insensitive.
    /// </summary>
    public required string Command { get; init; }

    /// <summary>What the server does when the rule fires.</summary>
    public required FaultAction Action { get; init; }

    /// <summary>Fire on every n-th matching occurrence (1 = every one, 3 = the 3rd, 6th, 9th ...). Must be at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or negative.</exception>
    public int EveryNth
    {
        get => _everyNth;
        // 0 or less used to mean "every one" silently, while the parser refuses every=0: one rule for both.
        init => _everyNth = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(EveryNth), value, "A fault rule's EveryNth must be at least 1 (1 = every occurrence).");
    }

    /// <summary>
    /// Chance that the rule fires on an occurrence selected by <see cref="EveryNth"/>: above 0, at most 1 (= always).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in (0, 1].</exception>
    public double Probability
    {
        get => _probability;
        // A probability of 0 (or below, or NaN) gives a rule that never fires: a mistake, as with Times = 0.
        init => _probability = value is > 0 and <= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(Probability), value, "A fault rule's Probability must be above 0 and at most 1: a rule with probability 0 never fires.");
    }

    /// <summary>Seed for the random draws of <see cref="Probability"/>, for reproducible runs; <see langword="null"/> = unseeded.</summary>
    public int? Seed { get; init; }

    /// <summary>
    /// Optional predicate on the command's argument text (everything after the verb, e.g. <c>"TO:&lt;bob@example.test&gt;"</c>;
    /// empty for <see cref="FaultCommands.Connect"/> and <see cref="FaultCommands.EndOfData"/>).
    /// </summary>
    public Func<string, bool>? Match { get; init; }

    /// <summary>Maximum number of times the rule fires, at least 1; <see langword="null"/> = unlimited.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or negative.</exception>
    public int? Times
    {
        get => _times;
        // A rule allowed to fire 0 times (or fewer) would sit in the set and never fire: a mistake, not a setting.
        init => _times = value is null or >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(Times), value, "A fault rule's Times must be at least 1 (null = unlimited): a rule that may fire 0 times never fires.");
    }

    /// <summary>How many times the rule has fired so far.</summary>
    public long FiredCount => Interlocked.Read(ref _fired);

    /// <summary>Creates a rule that performs <paramref name="action"/> every time <paramref name="command"/> is reached.</summary>
    public static FaultRule On(string command, FaultAction action) => new() { Command = command, Action = action };

    /// <summary>Decides whether the rule fires for this occurrence of a step, and counts it.</summary>
    internal bool TryFire(string command, string argument)
    {
        if (!AppliesTo(command))
        {
            return false;
        }

        lock (_gate)
        {
            if (Match is not null && !Match(argument))
            {
                return false;
            }

            if (Times is { } limit && _fired >= limit)
            {
                return false;
            }

            _occurrences++;
            if (_occurrences % EveryNth != 0)
            {
                return false;
            }

            if (Probability < 1.0)
            {
                _random ??= Seed is { } seed ? new Random(seed) : new Random();
                if (_random.NextDouble() >= Probability)
                {
                    return false;
                }
            }

            Interlocked.Increment(ref _fired);
            return true;
        }
    }

    private bool AppliesTo(string command)
    {
        if (string.Equals(Command, command, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return Command == FaultCommands.Any && !string.Equals(command, FaultCommands.Connect, StringComparison.Ordinal);
    }
}
