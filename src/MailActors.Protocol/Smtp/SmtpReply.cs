using System.Text;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// One complete SMTP reply: a three-digit code and one or more lines of text (RFC 5321 section 4.2).
/// Equality compares the code and the lines in order.
/// </summary>
public sealed record SmtpReply
{
    private string? text;

    /// <summary>Creates a reply after checking that it could be written back to the wire.</summary>
    /// <param name="Code">The reply code, 200 to 599.</param>
    /// <param name="Lines">The text of each line after <c>NNN-</c> or <c>NNN </c>; at least one, each free of CR, LF and NUL (may be empty).</param>
    /// <exception cref="MailArgumentException">The code is out of range, there are no lines, or a line contains CR, LF or NUL.</exception>
    public SmtpReply(int Code, IReadOnlyList<string> Lines)
    {
        ArgumentNullException.ThrowIfNull(Lines);
        if (Code is < 200 or > 599)
        {
            throw new MailArgumentException($"SMTP reply codes run from 200 to 599; {Code} is not one.", nameof(Code));
        }

        if (Lines.Count == 0)
        {
            throw new MailArgumentException("An SMTP reply has at least one line.", nameof(Lines));
        }

        foreach (var line in Lines)
        {
            WireText.EnsureSafe(line, nameof(Lines));
        }

        this.Code = Code;
        this.Lines = Lines;
    }

    // The parser has already validated every byte; re-checking millions of replies would be wasted work.
    private SmtpReply(int code, string[] lines, bool trusted)
    {
        _ = trusted;
        Code = code;
        Lines = lines;
    }

    /// <summary>The three-digit reply code.</summary>
    public int Code { get; }

    /// <summary>The text of each line after <c>NNN-</c> or <c>NNN </c>, without the line ending; may be empty strings.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The RFC 3463 enhanced status code at the start of the first line, or <see langword="null"/> when absent or malformed.</summary>
    /// <remarks>Reported as sent, even if its class disagrees with <see cref="Code"/>; the basic code stays authoritative.</remarks>
    public EnhancedStatusCode? EnhancedCode =>
        EnhancedStatusCode.TryParse(Lines[0], out var code, out _) ? code : null;

    /// <summary>All lines joined with <c>\n</c>; the enhanced status code prefix, if any, is left in.</summary>
    public string Text => text ??= Lines.Count == 1 ? Lines[0] : string.Join('\n', Lines);

    /// <summary>2xx: the command succeeded.</summary>
    public bool IsPositiveCompletion => Code is >= 200 and < 300;

    /// <summary>3xx: the server waits for more (DATA's 354, AUTH's 334).</summary>
    public bool IsPositiveIntermediate => Code is >= 300 and < 400;

    /// <summary>4xx: failed this time; trying again later may work.</summary>
    public bool IsTransientNegative => Code is >= 400 and < 500;

    /// <summary>5xx: failed; repeating the same command will fail again.</summary>
    public bool IsPermanentNegative => Code is >= 500 and < 600;

    /// <summary>Builds a reply from a code and its lines (for tests and in-process servers).</summary>
    /// <param name="code">The reply code, 200 to 599.</param>
    /// <param name="lines">The text of each line; none gives a single empty line.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="MailArgumentException">The code is out of range or a line contains CR, LF or NUL.</exception>
    public static SmtpReply Create(int code, params string[] lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return new SmtpReply(code, lines.Length == 0 ? [string.Empty] : (string[])lines.Clone());
    }

    internal static SmtpReply FromValidatedLines(int code, string[] lines) => new(code, lines, trusted: true);

    /// <summary>Deconstructs into code and lines.</summary>
    /// <param name="Code">The reply code.</param>
    /// <param name="Lines">The reply lines.</param>
    public void Deconstruct(out int Code, out IReadOnlyList<string> Lines)
    {
        Code = this.Code;
        Lines = this.Lines;
    }

    /// <summary>Compares code and lines, in order.</summary>
    /// <param name="other">The reply to compare with.</param>
    /// <returns><see langword="true"/> when both carry the same code and the same lines.</returns>
    public bool Equals(SmtpReply? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.Code != Code || other.Lines.Count != Lines.Count)
        {
            return false;
        }

        for (var i = 0; i < Lines.Count; i++)
        {
            if (!string.Equals(Lines[i], other.Lines[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Code);
        foreach (var line in Lines)
        {
            hash.Add(line, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>
    /// The reply in wire form, every line ending in CRLF, including the last: <c>"250-a\r\n250 b\r\n"</c>.
    /// A last line with empty text is written as the bare code (<c>"250\r\n"</c>).
    /// </summary>
    /// <returns>The wire form.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            builder.Append(Code);
            var last = i == Lines.Count - 1;
            if (!last)
            {
                builder.Append('-');
            }
            else if (Lines[i].Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Lines[i]).Append("\r\n");
        }

        return builder.ToString();
    }

    /// <summary>The wire form of <see cref="ToString"/> encoded as UTF-8, ready to send (for in-process servers).</summary>
    /// <returns>The bytes of the reply.</returns>
    public byte[] ToWireBytes() => Encoding.UTF8.GetBytes(ToString());
}
