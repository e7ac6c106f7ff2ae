using System.Collections.ObjectModel;
using MailActors.Protocol.Pop3.Internal;

namespace MailActors.Protocol.Pop3;

/// <summary>
/// The server's answer to <c>CAPA</c> (RFC 2449), with typed views of the capabilities of RFC 2449, RFC 2595 (STLS),
/// RFC 3206 (AUTH-RESP-CODE), RFC 5034 (SASL) and RFC 6856 (UTF8, LANG). Keywords compare case-insensitively.
/// Parsing is lenient: a malformed argument leaves its typed view unset but the keyword still counts as supported
/// and its arguments stay in <see cref="Raw"/>.
/// </summary>
public sealed class Pop3Capabilities
{
    private static readonly ReadOnlyCollection<string> NoArguments = ReadOnlyCollection<string>.Empty;

    private readonly Dictionary<string, IReadOnlyList<string>> _raw;

    private Pop3Capabilities(Dictionary<string, IReadOnlyList<string>> raw, IReadOnlyList<string> lines, string? implementation)
    {
        _raw = raw;
        Lines = lines;
        Implementation = implementation;
        SaslMechanisms = Arguments("SASL")
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray()
            .AsReadOnly();
        LoginDelay = ParseLoginDelay(Arguments("LOGIN-DELAY"), out bool loginDelayPerUser);
        LoginDelayPerUser = loginDelayPerUser;
        Expire = ParseExpire(Arguments("EXPIRE"));
        Utf8User = Arguments("UTF8").Contains("USER", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>No capabilities: what a server that does not know CAPA offers (RFC 1939 only).</summary>
    public static Pop3Capabilities Empty { get; } = Parse([]);

    /// <summary>Keyword (upper case, compared case-insensitively) to its arguments, split at blanks.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Raw => _raw;

    /// <summary>The non-empty capability lines as received, in order.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary><c>TOP</c>: the TOP command is available.</summary>
    public bool Top => Supports("TOP");

    /// <summary><c>UIDL</c>: the UIDL command is available.</summary>
    public bool Uidl => Supports("UIDL");

    /// <summary><c>USER</c>: USER/PASS login is available (possibly only after STLS).</summary>
    public bool User => Supports("USER");

    /// <summary><c>STLS</c>: the STLS command can upgrade the connection to TLS (RFC 2595).</summary>
    public bool Stls => Supports("STLS");

    /// <summary><c>PIPELINING</c>: commands may be sent without waiting for earlier responses.</summary>
    public bool Pipelining => Supports("PIPELINING");

    /// <summary><c>RESP-CODES</c>: <c>-ERR</c> texts may start with an extended response code.</summary>
    public bool RespCodes => Supports("RESP-CODES");

    /// <summary><c>AUTH-RESP-CODE</c>: authentication failures carry <c>[AUTH]</c> or <c>[SYS/...]</c> (RFC 3206).</summary>
    public bool AuthRespCode => Supports("AUTH-RESP-CODE");

    /// <summary><c>SASL</c>: the AUTH command is available (RFC 5034), possibly with an empty mechanism list.</summary>
    public bool Sasl => Supports("SASL");

    /// <summary>The SASL mechanisms announced, in server order, without duplicates; empty when none.</summary>
    public IReadOnlyList<string> SaslMechanisms { get; }

    /// <summary><c>UTF8</c>: the UTF8 command is available (RFC 6856).</summary>
    public bool Utf8 => Supports("UTF8");

    /// <summary><c>UTF8 USER</c>: UTF-8 user names and passwords are accepted in USER/PASS (RFC 6856).</summary>
    public bool Utf8User { get; }

    /// <summary><c>LANG</c>: the LANG command is available (RFC 6856).</summary>
    public bool Lang => Supports("LANG");

    /// <summary><c>LOGIN-DELAY n</c>: the minimum time between logins; null when not announced or malformed.</summary>
    public TimeSpan? LoginDelay { get; }

    /// <summary><c>LOGIN-DELAY n USER</c>: the delay may differ per user; ask CAPA again after login.</summary>
    public bool LoginDelayPerUser { get; }

    /// <summary><c>EXPIRE</c>: the retention policy; null when not announced or malformed.</summary>
    public Pop3ExpirePolicy? Expire { get; }

    /// <summary><c>IMPLEMENTATION text</c>: the server software's description, as sent; null when not announced.</summary>
    public string? Implementation { get; }

    /// <summary>Parses the lines of a CAPA multi-line response (already un-stuffed, without line endings).</summary>
    /// <param name="capaLines">The lines between the <c>+OK</c> and the terminating <c>.</c>.</param>
    /// <returns>The capabilities.</returns>
    public static Pop3Capabilities Parse(IEnumerable<string> capaLines)
    {
        ArgumentNullException.ThrowIfNull(capaLines);
        var raw = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        var lines = new List<string>();
        string? implementation = null;

        foreach (string rawLine in capaLines)
        {
            ArgumentNullException.ThrowIfNull(rawLine, nameof(capaLines));
            string line = rawLine.Trim(' ', '\t', '\r', '\n');
            if (line.Length == 0)
            {
                continue;
            }

            lines.Add(line);
            string[] tokens = Pop3Syntax.SplitBlanks(line);
            string keyword = tokens[0].ToUpperInvariant();
            string[] arguments = tokens[1..];

            if (keyword == "IMPLEMENTATION" && implementation is null)
            {
                implementation = line[tokens[0].Length..].Trim(' ', '\t');
            }

            // A keyword announced twice (seen with SASL split over lines) accumulates its arguments.
            raw[keyword] = raw.TryGetValue(keyword, out var earlier)
                ? [.. earlier, .. arguments]
                : arguments.Length == 0 ? NoArguments : arguments.AsReadOnly();
        }

        return new Pop3Capabilities(raw, lines.AsReadOnly(), implementation);
    }

    /// <summary>Whether the server announced <paramref name="keyword"/> (case-insensitive).</summary>
    /// <param name="keyword">A capability keyword such as <c>TOP</c> or <c>X-SOMETHING</c>.</param>
    public bool Supports(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        return _raw.ContainsKey(keyword);
    }

    /// <summary>Whether <paramref name="mechanism"/> is among the announced SASL mechanisms (case-insensitive).</summary>
    /// <param name="mechanism">A SASL mechanism name such as <c>PLAIN</c>.</param>
    public bool SupportsSaslMechanism(string mechanism)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        return SaslMechanisms.Contains(mechanism, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The arguments of <paramref name="keyword"/>; empty when it has none or was not announced.</summary>
    /// <param name="keyword">A capability keyword.</param>
    public IReadOnlyList<string> Arguments(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        return _raw.TryGetValue(keyword, out var arguments) ? arguments : NoArguments;
    }

    /// <summary>The capability lines, one per line, as a server would list them.</summary>
    public override string ToString() => string.Join("\r\n", Lines);

    private static TimeSpan? ParseLoginDelay(IReadOnlyList<string> arguments, out bool perUser)
    {
        perUser = arguments.Count > 1 && arguments[1].Equals("USER", StringComparison.OrdinalIgnoreCase);
        return arguments.Count > 0 && Pop3Syntax.TryParseUnsigned(arguments[0], out long seconds) && seconds <= int.MaxValue
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private static Pop3ExpirePolicy? ParseExpire(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0)
        {
            return null;
        }

        bool perUser = arguments.Count > 1 && arguments[1].Equals("USER", StringComparison.OrdinalIgnoreCase);
        if (arguments[0].Equals("NEVER", StringComparison.OrdinalIgnoreCase))
        {
            return new Pop3ExpirePolicy(null, perUser);
        }

        return Pop3Syntax.TryParseUnsigned(arguments[0], out long days) && days <= int.MaxValue
            ? new Pop3ExpirePolicy((int)days, perUser)
            : null;
    }
}
