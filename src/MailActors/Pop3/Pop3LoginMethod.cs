namespace MailActors.Pop3;

/// <summary>How a session logs in during <c>Connect</c> when its settings carry credentials.</summary>
public enum Pop3LoginMethod
{
    /// <summary>SASL when CAPA offers a usable mechanism, else APOP when the greeting has a timestamp, else USER/PASS.</summary>
    Auto,

    /// <summary>USER then PASS.</summary>
    UserPass,

    /// <summary>APOP.</summary>
    Apop,

    /// <summary>AUTH with the strongest offered SASL mechanism.</summary>
    Sasl,
}
