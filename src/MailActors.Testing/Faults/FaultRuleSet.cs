using System.Collections;

namespace MailActors.Testing;

/// <summary>
/// The live, thread-safe list of <see cref="FaultRule"/>s of a server. Rules can be added and removed while sessions
/// run (a test can make a server slow and then fast again); each step sees a consistent snapshot. For each step the
/// rules are tried in the order they were added and the first one that fires wins (later rules do not count that step).
/// </summary>
public sealed class FaultRuleSet : IEnumerable<FaultRule>
{
    private readonly object _writeGate = new();
    private volatile FaultRule[] _rules;

    /// <summary>Creates a set holding <paramref name="initialRules"/>.</summary>
    public FaultRuleSet(IEnumerable<FaultRule>? initialRules = null)
    {
        _rules = initialRules is null ? [] : [.. initialRules];
    }

    /// <summary>The number of rules in the set.</summary>
    public int Count => _rules.Length;

    /// <summary>Whether the set has no rules (the fast path: no evaluation cost per step).</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>Appends <paramref name="rule"/> and returns it, so a caller can keep it for <see cref="Remove"/>.</summary>
    public FaultRule Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_writeGate)
        {
            _rules = [.. _rules, rule];
        }

        return rule;
    }

    /// <summary>Removes <paramref name="rule"/>; returns whether it was present.</summary>
    public bool Remove(FaultRule rule)
    {
        lock (_writeGate)
        {
            var index = Array.IndexOf(_rules, rule);
            if (index < 0)
            {
                return false;
            }

            _rules = [.. _rules[..index], .. _rules[(index + 1)..]];
            return true;
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_writeGate)
        {
            _rules = [];
        }
    }

    /// <summary>Returns the first rule that fires for this step, or <see langword="null"/>.</summary>
    internal FaultRule? Evaluate(string command, string argument)
    {
        foreach (var rule in _rules)
        {
            if (rule.TryFire(command, argument))
            {
                return rule;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public IEnumerator<FaultRule> GetEnumerator() => ((IEnumerable<FaultRule>)_rules).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
