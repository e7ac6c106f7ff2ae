namespace MailActors.Testing;

/// <summary>The states of a POP3 session (RFC 1939 section 3).</summary>
internal enum Pop3State
{
    /// <summary>Before a successful login.</summary>
    Authorization,

    /// <summary>Logged in with the maildrop locked.</summary>
    Transaction,

    /// <summary>After QUIT in TRANSACTION: deletions committed, connection closing.</summary>
    Update,
}
