namespace MailActors.Testing;

/// <summary>The kinds of step an SMTP session runs through the fault rules.</summary>
internal enum SmtpStepKind
{
    /// <summary>The 220 greeting (fault command CONNECT).</summary>
    Greeting,

    /// <summary>A command line.</summary>
    Command,

    /// <summary>A BDAT chunk that has been read (fault command BDAT).</summary>
    BdatChunk,

    /// <summary>The end of a message, by DATA's dot or BDAT LAST (fault command ".").</summary>
    EndOfMessage,
}

/// <summary>One step of an SMTP session, described so it can be run later or replaced by a fault.</summary>
internal readonly record struct SmtpStep(SmtpStepKind Kind, string Verb = "", string Argument = "", long ChunkSize = 0, bool LastChunk = false, bool ChunkAccepted = false);
