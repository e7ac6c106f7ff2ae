using System.Collections.ObjectModel;
using System.Globalization;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// What a server announced in its EHLO reply (RFC 5321 section 4.1.1.1): its domain and its service extensions.
/// Keyword lookups are case-insensitive.
/// </summary>
public sealed class SmtpCapabilities
{
    private static readonly char[] Blanks = [' ', '\t'];

    private readonly ReadOnlyDictionary<string, string> keywords;

    private SmtpCapabilities(string? serverDomain, string greeting, Dictionary<string, string> keywords, IReadOnlyList<string> authMechanisms)
    {
        ServerDomain = serverDomain;
        Greeting = greeting;
        this.keywords = keywords.AsReadOnly();
        AuthMechanisms = authMechanisms;
        MaxSize = ParseSize(GetParameter("SIZE"));
    }

    /// <summary>No extensions and no domain: what a session knows after falling back to HELO.</summary>
    public static SmtpCapabilities None { get; } =
        new(null, string.Empty, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), []);

    /// <summary>The domain the server named first in its reply, or <see langword="null"/> if the line was empty.</summary>
    public string? ServerDomain { get; }

    /// <summary>The free text after the domain on the first line ("" when absent).</summary>
    public string Greeting { get; }

    /// <summary>Upper-cased keyword to its parameter string ("" when it has none). Lookups ignore case.</summary>
    public IReadOnlyDictionary<string, string> Keywords => keywords;

    /// <summary>PIPELINING (RFC 2920): commands may be sent in groups.</summary>
    public bool Pipelining => Supports("PIPELINING");

    /// <summary>CHUNKING (RFC 3030): BDAT is available.</summary>
    public bool Chunking => Supports("CHUNKING");

    /// <summary>8BITMIME (RFC 6152): BODY=8BITMIME is accepted.</summary>
    public bool EightBitMime => Supports("8BITMIME");

    /// <summary>BINARYMIME (RFC 3030): BODY=BINARYMIME is accepted (with BDAT).</summary>
    public bool BinaryMime => Supports("BINARYMIME");

    /// <summary>SMTPUTF8 (RFC 6531): UTF-8 addresses and headers are accepted.</summary>
    public bool SmtpUtf8 => Supports("SMTPUTF8");

    /// <summary>DSN (RFC 3461): NOTIFY, ORCPT, RET and ENVID are accepted.</summary>
    public bool Dsn => Supports("DSN");

    /// <summary>STARTTLS (RFC 3207).</summary>
    public bool StartTls => Supports("STARTTLS");

    /// <summary>ENHANCEDSTATUSCODES (RFC 2034): replies carry RFC 3463 codes.</summary>
    public bool EnhancedStatusCodes => Supports("ENHANCEDSTATUSCODES");

    /// <summary>ETRN (RFC 1985): remote queue starting.</summary>
    public bool Etrn => Supports("ETRN");

    /// <summary>VRFY advertised as an extension.</summary>
    public bool Vrfy => Supports("VRFY");

    /// <summary>CHECKPOINT (RFC 1845): TRANSID on MAIL FROM.</summary>
    public bool Checkpoint => Supports("CHECKPOINT");

    /// <summary>XVERP (Postfix): variable envelope return paths.</summary>
    public bool Xverp => Supports("XVERP");

    /// <summary>
    /// The SIZE limit in bytes (RFC 1870); <see langword="null"/> when SIZE is absent or carries no number.
    /// 0 means the server announced SIZE without a fixed limit.
    /// </summary>
    public long? MaxSize { get; }

    /// <summary>SASL mechanisms from <c>AUTH a b</c> and the legacy <c>AUTH=a b</c> lines: upper-cased, de-duplicated, in announced order.</summary>
    public IReadOnlyList<string> AuthMechanisms { get; }

    /// <summary>Reads the capabilities from a positive EHLO reply.</summary>
    /// <param name="reply">The EHLO reply: first line "domain [greeting]", then one "KEYWORD [params]" per line.
    /// Empty lines are ignored (smtp-sink ends with a bare <c>250 </c>). For a keyword announced twice the first
    /// announcement wins, except that a standard <c>AUTH mechs</c> line wins over a legacy <c>AUTH=mechs</c> one.</param>
    /// <returns>The capabilities.</returns>
    /// <exception cref="MailArgumentException">The reply is not a 2xx reply.</exception>
    public static SmtpCapabilities FromEhloReply(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        EnsurePositive(reply);
        var keywords = new Dictionary<string, string>(reply.Lines.Count, StringComparer.OrdinalIgnoreCase);
        var legacyKeywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var mechanisms = new List<string>();
        for (var i = 1; i < reply.Lines.Count; i++)
        {
            if (!TrySplitKeyword(reply.Lines[i], out var keyword, out var parameters, out var legacy))
            {
                continue;
            }

            if (keyword == "AUTH")
            {
                AddMechanisms(mechanisms, parameters);
            }

            if (!keywords.ContainsKey(keyword))
            {
                keywords.Add(keyword, parameters);
                if (legacy)
                {
                    legacyKeywords.Add(keyword);
                }
            }
            else if (!legacy && legacyKeywords.Remove(keyword))
            {
                keywords[keyword] = parameters;
            }
        }

        var (domain, greeting) = SplitFirstLine(reply.Lines[0]);
        return new SmtpCapabilities(domain, greeting, keywords, mechanisms);
    }

    /// <summary>Reads the server domain from a positive HELO reply; no extensions are known after HELO.</summary>
    /// <param name="reply">The HELO reply.</param>
    /// <returns>Capabilities with <see cref="ServerDomain"/> and <see cref="Greeting"/> only.</returns>
    /// <exception cref="MailArgumentException">The reply is not a 2xx reply.</exception>
    public static SmtpCapabilities FromHeloReply(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        EnsurePositive(reply);
        var (domain, greeting) = SplitFirstLine(reply.Lines[0]);
        return new SmtpCapabilities(domain, greeting, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), []);
    }

    /// <summary>Tells whether the server announced <paramref name="keyword"/> (any case).</summary>
    /// <param name="keyword">An EHLO keyword such as <c>PIPELINING</c>.</param>
    /// <returns><see langword="true"/> when announced.</returns>
    public bool Supports(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        return keywords.ContainsKey(keyword);
    }

    /// <summary>The parameter string announced with <paramref name="keyword"/>.</summary>
    /// <param name="keyword">An EHLO keyword such as <c>SIZE</c>.</param>
    /// <returns>The parameters ("" when the keyword has none), or <see langword="null"/> when the keyword was not announced.</returns>
    public string? GetParameter(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        return keywords.TryGetValue(keyword, out var value) ? value : null;
    }

    private static void EnsurePositive(SmtpReply reply)
    {
        if (!reply.IsPositiveCompletion)
        {
            throw new MailArgumentException($"Capabilities come from a 2xx reply, not a {reply.Code} reply.", nameof(reply));
        }
    }

    private static (string? Domain, string Greeting) SplitFirstLine(string line)
    {
        var trimmed = line.AsSpan().Trim(Blanks);
        if (trimmed.IsEmpty)
        {
            return (null, string.Empty);
        }

        var end = trimmed.IndexOfAny(Blanks);
        return end < 0
            ? (trimmed.ToString(), string.Empty)
            : (trimmed[..end].ToString(), trimmed[end..].TrimStart(Blanks).ToString());
    }

    // "KEYWORD params", or the pre-standard "AUTH=params" some servers still send beside the standard line.
    private static bool TrySplitKeyword(string line, out string keyword, out string parameters, out bool legacy)
    {
        var trimmed = line.AsSpan().Trim(Blanks);
        var end = trimmed.IndexOfAny(' ', '\t', '=');
        var keywordSpan = end < 0 ? trimmed : trimmed[..end];
        legacy = end >= 0 && trimmed[end] == '=';
        parameters = end < 0 ? string.Empty : trimmed[(end + 1)..].Trim(Blanks).ToString();
        keyword = keywordSpan.ToString().ToUpperInvariant();
        return keyword.Length > 0;
    }

    private static void AddMechanisms(List<string> mechanisms, string parameters)
    {
        foreach (var mechanism in parameters.Split(Blanks, StringSplitOptions.RemoveEmptyEntries))
        {
            var upper = mechanism.ToUpperInvariant();
            if (!mechanisms.Contains(upper))
            {
                mechanisms.Add(upper);
            }
        }
    }

    private static long? ParseSize(string? parameters)
    {
        if (string.IsNullOrEmpty(parameters))
        {
            return null;
        }

        var firstToken = parameters.AsSpan();
        var end = firstToken.IndexOfAny(Blanks);
        if (end >= 0)
        {
            firstToken = firstToken[..end];
        }

        return long.TryParse(firstToken, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
    }
}
