namespace MailActors.Cli.Commands;

/// <summary>Exit codes by the phase that failed, in the spirit of swaks, so scripts can tell where a send or fetch broke.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int Connect = 2;
    public const int Hello = 22;
    public const int Mail = 23;
    public const int NoRecipient = 24;
    public const int Data = 25;
    /// <summary>fetch: the POP3 server answered -ERR to a transaction command (STAT, LIST, RETR, DELE...).</summary>
    public const int Pop3Command = 26;
    /// <summary>fetch: storing a message locally (Maildir, state file) failed.</summary>
    public const int Store = 27;
    public const int Auth = 28;
    public const int Tls = 29;
    public const int PartialDelivery = 30;
}
