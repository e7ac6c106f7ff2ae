namespace MailActors.Testing;

/// <summary>What a <see cref="Pop3TestServer"/> remembers: counters always, the raw command log when recording.</summary>
internal sealed class Pop3Recorder(bool record)
{
    private readonly object _gate = new();
    private readonly List<string> _commandLog = [];
    private long _sessionsOpened;
    private long _sessionsActive;
    private long _messagesRetrieved;
    private long _deletionsCommitted;
    private long _loginsSucceeded;
    private long _loginsFailed;

    public long SessionsOpened => Interlocked.Read(ref _sessionsOpened);

    public long SessionsActive => Interlocked.Read(ref _sessionsActive);

    public long MessagesRetrieved => Interlocked.Read(ref _messagesRetrieved);

    public long DeletionsCommitted => Interlocked.Read(ref _deletionsCommitted);

    public long LoginsSucceeded => Interlocked.Read(ref _loginsSucceeded);

    public long LoginsFailed => Interlocked.Read(ref _loginsFailed);

    public IReadOnlyList<string> CommandLog
    {
        get
        {
            lock (_gate)
            {
                return [.. _commandLog];
            }
        }
    }

    public void SessionOpened()
    {
        Interlocked.Increment(ref _sessionsOpened);
        Interlocked.Increment(ref _sessionsActive);
    }

    public void SessionClosed() => Interlocked.Decrement(ref _sessionsActive);

    public void MessageRetrieved() => Interlocked.Increment(ref _messagesRetrieved);

    public void DeletionsCommittedBy(int count) => Interlocked.Add(ref _deletionsCommitted, count);

    public void Login(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _loginsSucceeded : ref _loginsFailed);

    public void LogCommand(string line)
    {
        if (!record)
        {
            return;
        }

        lock (_gate)
        {
            _commandLog.Add(line);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _commandLog.Clear();
        }
    }
}
