using System.Globalization;
using System.Text;

namespace MailActors.Load;

/// <summary>
/// An address with counters, compiled once: <c>{n}</c> the message number (1, 2, ...), <c>{s}</c> the session
/// number, <c>{r}</c> the recipient's position in its message (1..N), and any of them modulo K as <c>{n%K}</c> (to cycle
/// through a fixed set of mailboxes). Everything else is literal: <c>user{n%1000}@example.test</c>.
/// </summary>
public sealed class AddressTemplate
{
    private readonly Part[] _parts;

    private AddressTemplate(string text, Part[] parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>True when the template has no placeholder (every expansion is the same string).</summary>
    public bool IsConstant => _parts.All(p => p.Counter == '\0');

    /// <summary>
    /// Whether recipients 1 to <paramref name="recipients"/> of one message all get different addresses: false without
    /// <c>{r}</c> (every recipient of a message is the same address), or with only <c>{r%K}</c> and K below the count.
    /// </summary>
    public bool GivesEachRecipientItsOwnAddress(int recipients)
    {
        if (recipients <= 1 || _parts.Any(p => p.Counter == 'r' && (p.Modulo == 0 || p.Modulo >= recipients)))
        {
            return true;
        }
        // Only moduli below the count are left (or no {r} at all); several of them may still tell the recipients apart.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 1; r <= recipients; r++)
        {
            if (!seen.Add(Expand(1, 1, r)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="FormatException"/> for an unknown or malformed placeholder.</summary>
    public static AddressTemplate Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var parts = new List<Part>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '{')
            {
                literal.Append(text[i]);
                continue;
            }
            var close = text.IndexOf('}', i);
            if (close < 0)
            {
                throw new FormatException($"Unclosed '{{' in address template '{text}'.");
            }
            var inner = text[(i + 1)..close];
            if (inner.Length == 0 || inner[0] is not ('n' or 's' or 'r') || (inner.Length > 1 && inner[1] != '%'))
            {
                throw new FormatException($"Unknown placeholder '{{{inner}}}' in address template '{text}' (use {{n}}, {{s}}, {{r}}, or {{n%K}}).");
            }
            long modulo = 0;
            if (inner.Length > 1 && (!long.TryParse(inner.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out modulo) || modulo < 1))
            {
                throw new FormatException($"Bad modulus in '{{{inner}}}' of address template '{text}'.");
            }
            if (literal.Length > 0)
            {
                parts.Add(new Part(literal.ToString(), '\0', 0));
                literal.Clear();
            }
            parts.Add(new Part("", inner[0], modulo));
            i = close;
        }
        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), '\0', 0));
        }
        return new AddressTemplate(text, [.. parts]);
    }

    /// <summary>The address for message <paramref name="message"/>, session <paramref name="session"/>, recipient <paramref name="recipient"/>.</summary>
    public string Expand(long message, long session, long recipient)
    {
        if (_parts.Length == 1 && _parts[0].Counter == '\0')
        {
            return _parts[0].Literal;
        }
        var builder = new StringBuilder(Text.Length + 16);
        foreach (var part in _parts)
        {
            if (part.Counter == '\0')
            {
                builder.Append(part.Literal);
                continue;
            }
            var value = part.Counter switch { 'n' => message, 's' => session, _ => recipient };
            if (part.Modulo > 0)
            {
                value %= part.Modulo;
            }
            builder.Append(value.ToString(CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private readonly record struct Part(string Literal, char Counter, long Modulo);
}
