namespace MailActors.Testing;

/// <summary>The envelope of a received message as the client gave it.</summary>
/// <param name="MailFrom">The reverse path without angle brackets (empty for the null sender <c>&lt;&gt;</c>).</param>
/// <param name="MailParameters">The MAIL parameters as sent, e.g. <c>"SIZE=1234"</c>, <c>"BODY=8BITMIME"</c>, <c>"SMTPUTF8"</c>.</param>
/// <param name="Recipients">The accepted recipients, in order.</param>
public sealed record SmtpEnvelope(string MailFrom, IReadOnlyList<string> MailParameters, IReadOnlyList<SmtpRecipient> Recipients)
{
    /// <summary>The value of MAIL parameter <paramref name="name"/> (case-insensitive); "" for a parameter without value; null when absent.</summary>
    public string? GetMailParameter(string name) => SmtpParameters.Find(MailParameters, name);
}

/// <summary>One accepted recipient.</summary>
/// <param name="Address">The forward path without angle brackets.</param>
/// <param name="Parameters">The RCPT parameters as sent, e.g. <c>"NOTIFY=SUCCESS,FAILURE"</c>.</param>
public sealed record SmtpRecipient(string Address, IReadOnlyList<string> Parameters)
{
    /// <summary>The value of RCPT parameter <paramref name="name"/> (case-insensitive); "" for a parameter without value; null when absent.</summary>
    public string? GetParameter(string name) => SmtpParameters.Find(Parameters, name);
}
