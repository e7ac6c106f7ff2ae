namespace MailActors.Protocol.Pop3;

/// <summary>
/// Limits applied while reading POP3 responses. Every limit bounds memory or work against a server that sends too much;
/// exceeding one raises <see cref="Pop3ProtocolException"/>.
/// </summary>
public sealed class Pop3ParserOptions
{
    private readonly int _maxLineLength = 8192;
    private readonly int _maxContentLineLength = 1024 * 1024;
    private readonly long _maxResponseBytes = 256L * 1024 * 1024;
    private readonly long _maxListingBytes = 256L * 1024 * 1024;

    /// <summary>The defaults: 8 KiB lines, 1 MiB content lines, 256 MiB per multi-line response, 256 MiB per listing.</summary>
    public static Pop3ParserOptions Default { get; } = new();

    /// <summary>
    /// Longest status line (<c>+OK</c>/<c>-ERR</c>/<c>+ </c>) and longest line of a multi-line response read as text
    /// (CAPA, LIST, UIDL), in octets, not counting CRLF. RFC 2449 allows 512 octets for status lines; the default
    /// 8192 is liberal towards chatty servers while still bounded.
    /// </summary>
    public int MaxLineLength
    {
        get => _maxLineLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 16);
            _maxLineLength = value;
        }
    }

    /// <summary>
    /// Longest line of a multi-line body streamed to a buffer writer (RETR, TOP), in octets, not counting CRLF.
    /// Streaming does not hold lines in memory, so this is a sanity bound rather than a memory bound; RFC 5322 asks for
    /// at most 998 but real messages break that, hence the generous 1 MiB default. Use <see cref="int.MaxValue"/> to disable.
    /// </summary>
    public int MaxContentLineLength
    {
        get => _maxContentLineLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxContentLineLength = value;
        }
    }

    /// <summary>
    /// Most octets one multi-line response body may take on the wire, dot-stuffing and the terminating <c>.</c> line
    /// included. Stops an endless response from running forever, and bounds a body collected in memory. Listings read
    /// as text lines are bounded in memory by <see cref="MaxListingBytes"/> as well.
    /// </summary>
    public long MaxResponseBytes
    {
        get => _maxResponseBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 3L);
            _maxResponseBytes = value;
        }
    }

    /// <summary>
    /// Most memory one multi-line response read as text lines (CAPA, LIST, UIDL, LANG, a raw command) may take, in
    /// octets. Each line is charged what it costs held as a string in a list: two octets per octet received (UTF-16
    /// never needs more) plus <see cref="ListingLineOverhead"/>. Wire size alone is no bound here, since a two-octet line
    /// costs some 20 times that in memory. The default 256 MiB takes LIST or UIDL of a million messages with lines of up
    /// to 100 octets, so RFC 1939's 70-character unique ids fit.
    /// </summary>
    public long MaxListingBytes
    {
        get => _maxListingBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, (long)ListingLineOverhead);
            _maxListingBytes = value;
        }
    }

    /// <summary>
    /// What each listing line is charged against <see cref="MaxListingBytes"/> on top of its characters: the string's
    /// header and its slot in the list (with the list's spare capacity), on a 64-bit runtime.
    /// </summary>
    public const int ListingLineOverhead = 48;
}
