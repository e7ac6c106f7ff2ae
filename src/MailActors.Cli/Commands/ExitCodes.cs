namespace MailActors.Cli.Commands;

/// <summary>Exit codes by the phase that failed, in the spirit of swaks, so scripts can tell where a send or fetch broke.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 1;
    /// <summary>Connecting failed; load: connections (POP3: logins) failed so many times in a row that the run gave up.</summary>
    public const int Connect = 2;
    /// <summary>sink --verify, load --protocol pop3: a message's body no longer matched its X-MailActors-Digest.</summary>
    public const int IntegrityFailure = 3;
    /// <summary>load: an open loop ended behind its schedule (messages unsent or unanswered when the drain time ran out).</summary>
    public const int FellBehind = 4;
    /// <summary>load --protocol pop3: so many sessions in a row found their mailbox empty that the run gave up.</summary>
    public const int NothingToRetrieve = 5;
    public const int Hello = 22;
    public const int Mail = 23;
    public const int NoRecipient = 24;
    public const int Data = 25;
    /// <summary>fetch: the POP3 server answered -ERR to a transaction command (STAT, LIST, RETR, DELE...).</summary>
    public const int Pop3Command = 26;
    /// <summary>
    /// fetch: storing a message locally (Maildir, state file) failed; load: a --json or --html report could not be written;
    /// bulk and status: the outbox store could not be opened (server down or refusing the login, file not openable, tables
    /// the role may not create or read); bulk: messages could not be journaled, their partition unavailable for too long.
    /// </summary>
    public const int Store = 27;
    public const int Auth = 28;
    public const int Tls = 29;
    public const int PartialDelivery = 30;
    /// <summary>mailactors bulk: some messages are still deferred (run again to retry them).</summary>
    public const int Deferred = 75;
}
