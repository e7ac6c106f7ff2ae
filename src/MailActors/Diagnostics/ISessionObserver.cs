namespace MailActors.Diagnostics;

/// <summary>
/// Told how long each protocol step of a session took: the delivery engine turns it into metrics, the load generator
/// into per-step latency histograms. Called on the session's actor thread; implementations must be cheap and thread-safe.
/// </summary>
public interface ISessionObserver
{
    /// <summary>A step finished.</summary>
    /// <param name="step">The step: <c>connect</c>, <c>tls</c>, <c>banner</c>, or a command verb (<c>EHLO</c>, <c>MAIL</c>,
    /// <c>RCPT</c>, <c>DATA</c>, <c>BDAT</c>, <c>DOT</c> for the end of the content, <c>QUIT</c>...).</param>
    /// <param name="elapsed">From the moment the step's bytes were queued (or the connect began) to its reply.</param>
    /// <param name="replyCode">The reply code, or null for connect/TLS steps and failures.</param>
    void OnStep(string step, TimeSpan elapsed, int? replyCode);
}
