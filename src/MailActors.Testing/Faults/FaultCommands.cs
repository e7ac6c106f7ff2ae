namespace MailActors.Testing;

/// <summary>
/// Names of the protocol steps a <see cref="FaultRule"/> can target. Rules match a step by its command verb
/// (case-insensitive), so any verb the client sends can be used; these constants cover the special steps and the
/// usual verbs of SMTP and POP3, in the vocabulary of Postfix <c>smtp-sink</c>.
/// </summary>
public static class FaultCommands
{
    /// <summary>The connection itself: the rule acts in place of the server greeting.</summary>
    public const string Connect = "CONNECT";

    /// <summary>Every command line the client sends and every end of message (not <see cref="Connect"/>).</summary>
    public const string Any = "*";

    /// <summary>
    /// The end of a message: the terminating dot of SMTP <c>DATA</c>, or the <c>LAST</c> chunk of SMTP <c>BDAT</c>
    /// when no <see cref="Bdat"/> rule fired for that chunk.
    /// </summary>
    public const string EndOfData = ".";

    /// <summary>SMTP <c>EHLO</c>.</summary>
    public const string Ehlo = "EHLO";

    /// <summary>SMTP <c>HELO</c>.</summary>
    public const string Helo = "HELO";

    /// <summary>SMTP <c>MAIL</c> (its synonyms <c>SEND</c>, <c>SOML</c> and <c>SAML</c> are matched by their own verbs).</summary>
    public const string Mail = "MAIL";

    /// <summary>SMTP <c>RCPT</c>.</summary>
    public const string Rcpt = "RCPT";

    /// <summary>SMTP <c>DATA</c> (the command, before the 354 reply; see <see cref="EndOfData"/> for the end).</summary>
    public const string Data = "DATA";

    /// <summary>SMTP <c>BDAT</c>: evaluated after the chunk has been read, in place of the chunk's reply.</summary>
    public const string Bdat = "BDAT";

    /// <summary>SMTP and POP3 <c>RSET</c>.</summary>
    public const string Rset = "RSET";

    /// <summary>SMTP and POP3 <c>NOOP</c>.</summary>
    public const string Noop = "NOOP";

    /// <summary>SMTP and POP3 <c>QUIT</c>.</summary>
    public const string Quit = "QUIT";

    /// <summary>SMTP <c>VRFY</c>.</summary>
    public const string Vrfy = "VRFY";

    /// <summary>SMTP <c>STARTTLS</c>.</summary>
    public const string StartTls = "STARTTLS";

    /// <summary>SMTP and POP3 <c>AUTH</c> (evaluated on the command line, before any continuation).</summary>
    public const string Auth = "AUTH";

    /// <summary>POP3 <c>CAPA</c>.</summary>
    public const string Capa = "CAPA";

    /// <summary>POP3 <c>STLS</c>.</summary>
    public const string Stls = "STLS";

    /// <summary>POP3 <c>USER</c>.</summary>
    public const string User = "USER";

    /// <summary>POP3 <c>PASS</c>.</summary>
    public const string Pass = "PASS";

    /// <summary>POP3 <c>APOP</c>.</summary>
    public const string Apop = "APOP";

    /// <summary>POP3 <c>STAT</c>.</summary>
    public const string Stat = "STAT";

    /// <summary>POP3 <c>LIST</c>.</summary>
    public const string List = "LIST";

    /// <summary>POP3 <c>UIDL</c>.</summary>
    public const string Uidl = "UIDL";

    /// <summary>POP3 <c>TOP</c>.</summary>
    public const string Top = "TOP";

    /// <summary>POP3 <c>RETR</c>.</summary>
    public const string Retr = "RETR";

    /// <summary>POP3 <c>DELE</c>.</summary>
    public const string Dele = "DELE";
}
