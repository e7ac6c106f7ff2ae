namespace MailActors.Diagnostics;

/// <summary>Who said a transcript line.</summary>
public enum TranscriptDirection
{
    /// <summary>Sent by the client (<c>C: </c>).</summary>
    Client,
    /// <summary>Received from the server (<c>S: </c>).</summary>
    Server,
    /// <summary>A note from the engine itself (<c>* </c>): connects, TLS, closes.</summary>
    Info,
}

/// <summary>
/// Receives the protocol transcript of a session (the <c>Debug</c> option of Net::SMTP / Net::POP3).
/// Lines arrive already redacted: AUTH payloads and passwords never reach an implementation.
/// Implementations must be thread-safe; sessions write from their own actor threads.
/// </summary>
public interface ITranscript
{
    /// <summary>Records one line of the conversation.</summary>
    void Write(TranscriptDirection direction, string line);
}
