using System.Diagnostics.CodeAnalysis;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// RFC 5321 reverse-paths and forward-paths (<c>&lt;local@domain&gt;</c>), with RFC 6531 UTF-8 allowed, and
/// Net::SMTP's way of turning what a caller passes into one.
/// </summary>
public static class SmtpPath
{
    /// <summary>The null reverse-path, used for bounces and DSNs.</summary>
    public const string Null = "<>";

    /// <summary>The forward-path every server must accept without a domain (RFC 5321 section 4.1.1.3), compared case-insensitively.</summary>
    public const string Postmaster = "<Postmaster>";

    /// <summary>
    /// Turns an address into a path the way Net::SMTP does, then validates it.
    /// Without <paramref name="exactAddresses"/>: the first <c>&lt;...&gt;</c> in the text is taken as is
    /// (<c>"Name &lt;a@b&gt;"</c> gives <c>&lt;a@b&gt;</c>); otherwise the text is trimmed and wrapped
    /// (<c>" a@b "</c> gives <c>&lt;a@b&gt;</c>). With <paramref name="exactAddresses"/>: the trimmed text must already
    /// be a path (<c>&lt;"funny user"@b&gt;</c>) or an exact address that only needs wrapping (<c>"funny user"@b</c>);
    /// nothing is extracted, so <c>"Name &lt;a@b&gt;"</c> is refused. In both modes "" gives the null path <c>&lt;&gt;</c>,
    /// so this is the form for senders (reverse-paths); <see cref="ToRecipientPath"/> is the form for recipients.
    /// </summary>
    /// <param name="address">The address as the caller has it.</param>
    /// <param name="exactAddresses">Net::SMTP's ExactAddresses option.</param>
    /// <returns>A valid path, possibly <c>&lt;&gt;</c>.</returns>
    /// <exception cref="MailArgumentException">The text contains CR, LF or NUL, or the result is not a valid path.</exception>
    public static string ToPath(string address, bool exactAddresses = false) =>
        PathOf(address, CheckedInside(address, exactAddresses, PathRole.Sender));

    /// <summary>
    /// Turns a recipient into a forward-path as <see cref="ToPath"/> does, but refuses the null path (an empty address
    /// or <c>&lt;&gt;</c>), which RCPT TO never takes, and accepts <c>&lt;Postmaster&gt;</c> without a domain.
    /// </summary>
    /// <param name="address">The recipient as the caller has it.</param>
    /// <param name="exactAddresses">Net::SMTP's ExactAddresses option.</param>
    /// <returns>A valid forward-path.</returns>
    /// <exception cref="MailArgumentException">The text contains CR, LF or NUL, is empty, or is not a valid path.</exception>
    public static string ToRecipientPath(string address, bool exactAddresses = false) =>
        PathOf(address, CheckedInside(address, exactAddresses, PathRole.Recipient));

    /// <summary>
    /// Checks that <see cref="ToPath"/> would accept <paramref name="sender"/> (the null path included), without building
    /// the path: for callers that validate a message long before it is sent.
    /// </summary>
    /// <param name="sender">The envelope sender as the caller has it.</param>
    /// <param name="exactAddresses">Net::SMTP's ExactAddresses option.</param>
    /// <exception cref="MailArgumentException">As <see cref="ToPath"/>.</exception>
    public static void ValidateSender(string sender, bool exactAddresses = false) =>
        CheckedInside(sender, exactAddresses, PathRole.Sender);

    /// <summary>Checks that <see cref="ToRecipientPath"/> would accept <paramref name="recipient"/>, without building the path.</summary>
    /// <param name="recipient">The recipient as the caller has it.</param>
    /// <param name="exactAddresses">Net::SMTP's ExactAddresses option.</param>
    /// <exception cref="MailArgumentException">As <see cref="ToRecipientPath"/>.</exception>
    public static void ValidateRecipient(string recipient, bool exactAddresses = false) =>
        CheckedInside(recipient, exactAddresses, PathRole.Recipient);

    /// <summary>
    /// The domain of a recipient as <see cref="ToRecipientPath"/> reads it in the given mode (the part after the last
    /// <c>@</c>, without a source route), or "" for <c>&lt;Postmaster&gt;</c>: what routes are chosen by. The two modes
    /// read the same domain unless the text holds a <c>&lt;...&gt;</c> and is not itself one path:
    /// <c>"a &lt;b@x&gt;"@y</c> is <c>b@x</c> without <paramref name="exactAddresses"/> and a quoted local part at
    /// <c>y</c> with it.
    /// </summary>
    /// <param name="recipient">The recipient as the caller has it.</param>
    /// <param name="exactAddresses">Net::SMTP's ExactAddresses option.</param>
    /// <returns>The domain, as written.</returns>
    /// <exception cref="MailArgumentException">As <see cref="ToRecipientPath"/>.</exception>
    public static string DomainOf(string recipient, bool exactAddresses = false) =>
        DomainIn(CheckedInside(recipient, exactAddresses, PathRole.Recipient));

    /// <summary>
    /// <see cref="DomainOf"/> without the exception: <see langword="false"/> where <see cref="ToRecipientPath"/> would
    /// refuse the recipient in that mode (for callers that weigh both modes' readings of one address).
    /// </summary>
    /// <param name="recipient">The recipient as the caller has it.</param>
    /// <param name="exactAddresses">Net::SMTP's ExactAddresses option.</param>
    /// <param name="domain">The domain, as written, when the recipient is accepted.</param>
    /// <returns>Whether the recipient makes a forward-path in that mode.</returns>
    public static bool TryDomainOf(string recipient, bool exactAddresses, [NotNullWhen(true)] out string? domain)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (!WireText.IsSafe(recipient) || !TryInside(recipient, exactAddresses, PathRole.Recipient, out var inside, out _))
        {
            domain = null;
            return false;
        }
        domain = DomainIn(inside);
        return true;
    }

    private static string DomainIn(ReadOnlySpan<char> inside)
    {
        var at = inside.LastIndexOf('@');
        return at < 0 ? "" : inside[(at + 1)..].ToString();
    }

    private enum PathRole
    {
        Sender,
        Recipient,
    }

    // The caller's string is the path already when it is exactly <inside> (callers that pass paths): no copy then.
    private static string PathOf(string address, ReadOnlySpan<char> inside) =>
        address.Length == inside.Length + 2 && address[0] == '<' && address[^1] == '>' && address.AsSpan(1, inside.Length).SequenceEqual(inside)
            ? address
            : $"<{inside}>";

    // The text between the path's angle brackets, as ToPath documents where it is found; throws when it is no path.
    private static ReadOnlySpan<char> CheckedInside(string address, bool exactAddresses, PathRole role)
    {
        WireText.EnsureSafe(address, nameof(address));
        if (!TryInside(address, exactAddresses, role, out var inside, out var error))
        {
            throw new MailArgumentException($"'{address}' does not make a valid SMTP path: {error}", nameof(address));
        }

        return inside;
    }

    // CheckedInside for text already known to be free of CR, LF and NUL; false (with the reason) when it is no path.
    private static bool TryInside(string address, bool exactAddresses, PathRole role, out ReadOnlySpan<char> inside, out string error)
    {
        inside = Inside(address, exactAddresses);
        if (role == PathRole.Recipient && inside.Equals(Postmaster.AsSpan(1, Postmaster.Length - 2), StringComparison.OrdinalIgnoreCase))
        {
            error = string.Empty;
            return true;
        }
        return SmtpPathSyntax.TryValidateInside(inside, allowNull: role == PathRole.Sender, out error);
    }

    private static ReadOnlySpan<char> Inside(string address, bool exactAddresses)
    {
        if (!exactAddresses)
        {
            var open = address.IndexOf('<', StringComparison.Ordinal);
            var close = open < 0 ? -1 : address.IndexOf('>', open);
            if (close >= 0)
            {
                return address.AsSpan(open + 1, close - open - 1);
            }
        }

        var trimmed = address.AsSpan().Trim();
        return trimmed.Length >= 2 && trimmed[0] == '<' && trimmed[^1] == '>' ? trimmed[1..^1] : trimmed;
    }

    /// <summary>
    /// Checks RFC 5321 Path syntax: <c>&lt;&gt;</c> (only when <paramref name="allowNull"/>) or <c>&lt;local@domain&gt;</c>,
    /// optionally preceded by an obsolete source route (<c>&lt;@a,@b:local@domain&gt;</c>). The local part is a
    /// dot-atom or a quoted string; the domain is a host name or an address literal (<c>[192.0.2.1]</c>,
    /// <c>[IPv6:2001:db8::1]</c>). Non-ASCII characters are accepted (RFC 6531; the session must then use SMTPUTF8).
    /// Lengths are not limited, as RFC 5321 section 4.5.3.1 asks of clients.
    /// </summary>
    /// <param name="path">The path including angle brackets.</param>
    /// <param name="allowNull">Whether <c>&lt;&gt;</c> is acceptable (MAIL FROM) or not (RCPT TO).</param>
    /// <exception cref="MailArgumentException">The path contains CR, LF or NUL or breaks the syntax; the message says where.</exception>
    public static void Validate(string path, bool allowNull)
    {
        WireText.EnsureSafe(path, nameof(path));
        if (!SmtpPathSyntax.TryValidate(path, allowNull, out var error))
        {
            throw new MailArgumentException($"'{path}' is not a valid SMTP path: {error}", nameof(path));
        }
    }

    /// <summary>Tells whether <paramref name="path"/> passes <see cref="Validate"/>.</summary>
    /// <param name="path">The path including angle brackets.</param>
    /// <param name="allowNull">Whether <c>&lt;&gt;</c> is acceptable.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValid(string path, bool allowNull)
    {
        ArgumentNullException.ThrowIfNull(path);
        return WireText.IsSafe(path) && SmtpPathSyntax.TryValidate(path, allowNull, out _);
    }

    /// <summary>Tells whether the path holds non-ASCII characters, so MAIL FROM needs the SMTPUTF8 parameter.</summary>
    /// <param name="path">A path or address.</param>
    /// <returns><see langword="true"/> when any character is outside US-ASCII.</returns>
    public static bool RequiresSmtpUtf8(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return !System.Text.Ascii.IsValid(path);
    }
}
