namespace MailActors.Transport;

/// <summary>When a session encrypts its connection.</summary>
public enum TlsMode
{
    /// <summary>Plain TCP. STARTTLS/STLS only when the caller asks for it (Net::SMTP's default).</summary>
    None,

    /// <summary>Upgrade with STARTTLS/STLS right after the greeting; fail if the server does not offer it.</summary>
    StartTls,

    /// <summary>Upgrade with STARTTLS/STLS when offered, stay plain otherwise (opportunistic).</summary>
    StartTlsWhenAvailable,

    /// <summary>TLS from the first byte (SMTPS on 465, POP3S on 995): Net::SMTP's <c>SSL =&gt; 1</c>.</summary>
    Implicit,
}
