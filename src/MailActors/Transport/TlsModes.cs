namespace MailActors.Transport;

/// <summary>Reads a <see cref="TlsMode"/> from configuration or a command line.</summary>
public static class TlsModes
{
    /// <summary>Parses <c>none</c>, <c>starttls</c> (also <c>stls</c>), <c>starttls-when-available</c> or <c>implicit</c>
    /// (also <c>ssl</c>, <c>smtps</c>, <c>pop3s</c>).</summary>
    /// <exception cref="FormatException">Any other value.</exception>
    public static TlsMode Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToLowerInvariant() switch
        {
            "none" or "off" => TlsMode.None,
            "starttls" or "stls" => TlsMode.StartTls,
            "starttls-when-available" or "opportunistic" => TlsMode.StartTlsWhenAvailable,
            "implicit" or "ssl" or "smtps" or "pop3s" => TlsMode.Implicit,
            _ => throw new FormatException($"Unknown TLS mode '{value}' (none, starttls, starttls-when-available, implicit)."),
        };
    }

}
