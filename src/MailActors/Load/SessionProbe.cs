using MailActors.Diagnostics;

namespace MailActors.Load;

/// <summary>
/// The observer of one session: forwards every step to the run's <see cref="LoadRecorder"/> and remembers the last
/// step that completed, so that when the session fails (a cut connection, a timeout) the failure can be pinned on the
/// step that was under way. Written on the session's thread, read by the supervisor after the session's failure
/// message (the mailbox orders the two).
/// </summary>
internal sealed class SessionProbe(ISessionObserver recorder) : ISessionObserver
{
    private volatile string? _lastStep;
    private int _recipientsSeen;
    private volatile bool _closingReplySeen;

    /// <summary>The last step that completed, or null before the first.</summary>
    public string? LastStep => _lastStep;

    /// <summary>The server said 421 (closing): a failure that follows is its consequence, not another error.</summary>
    public bool ClosingReplySeen => _closingReplySeen;

    /// <summary>RCPT replies seen since the last MAIL.</summary>
    public int RecipientsSeen => Volatile.Read(ref _recipientsSeen);

    /// <inheritdoc />
    public void OnStep(string step, TimeSpan elapsed, int? replyCode)
    {
        if (replyCode == 421)
        {
            if (_closingReplySeen)
            {
                // After a 421 the server is gone: the session answers the commands still waiting with that same 421
                // itself. They were never answered by the server, so they are neither timed nor counted.
                return;
            }
            _closingReplySeen = true;
        }
        recorder.OnStep(step, elapsed, replyCode);
        if (step == "MAIL")
        {
            Volatile.Write(ref _recipientsSeen, 0);
        }
        else if (step == "RCPT")
        {
            Interlocked.Increment(ref _recipientsSeen);
        }
        _lastStep = step;
    }

    /// <summary>Forgets the transaction's progress before a new transaction starts.</summary>
    public void TransactionStarting()
    {
        _lastStep = "ready";
        Volatile.Write(ref _recipientsSeen, 0);
    }
}
