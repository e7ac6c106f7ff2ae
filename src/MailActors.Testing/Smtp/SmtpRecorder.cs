using System.Collections.Concurrent;
using System.Net;

namespace MailActors.Testing;

/// <summary>
/// What an <see cref="SmtpTestServer"/> remembers: counters always (lock-free), and when recording the messages,
/// the global command log and the sessions.
/// </summary>
internal sealed class SmtpRecorder(bool record)
{
    private readonly object _gate = new();
    private readonly List<ReceivedMessage> _messages = [];
    private readonly List<string> _commandLog = [];
    private readonly List<SmtpSessionLog> _sessions = [];
    private readonly CountWaiters _messageWaiters = new();
    private long _messagesReceived;
    private long _bytesReceived;
    private long _recipientsAccepted;
    private long _sessionsOpened;
    private long _sessionsActive;

    public bool Record => record;

    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public long RecipientsAccepted => Interlocked.Read(ref _recipientsAccepted);

    public long SessionsOpened => Interlocked.Read(ref _sessionsOpened);

    public long SessionsActive => Interlocked.Read(ref _sessionsActive);

    public ConcurrentDictionary<int, long> RepliesByCode { get; } = new();

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

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

    public IReadOnlyList<SmtpSessionInfo> Sessions
    {
        get
        {
            SmtpSessionLog[] sessions;
            lock (_gate)
            {
                sessions = [.. _sessions];
            }

            return [.. sessions.Select(session => session.Snapshot())];
        }
    }

    /// <summary>Counts a new session; returns its log when recording.</summary>
    public SmtpSessionLog? OpenSession(long id, IPEndPoint? remoteEndPoint)
    {
        Interlocked.Increment(ref _sessionsOpened);
        Interlocked.Increment(ref _sessionsActive);
        if (!record)
        {
            return null;
        }

        var log = new SmtpSessionLog(id, remoteEndPoint);
        lock (_gate)
        {
            _sessions.Add(log);
        }

        return log;
    }

    public void CloseSession(SmtpSessionLog? log)
    {
        Interlocked.Decrement(ref _sessionsActive);
        log?.Close();
    }

    public void LogCommand(SmtpSessionLog? log, string line)
    {
        if (log is null)
        {
            return;
        }

        log.AddCommand(line);
        lock (_gate)
        {
            _commandLog.Add(line);
        }
    }

    public void CountReply(int code) => RepliesByCode.AddOrUpdate(code, 1, static (_, count) => count + 1);

    public void RecipientAccepted() => Interlocked.Increment(ref _recipientsAccepted);

    /// <summary>Counts an accepted message and keeps it (when recording, <paramref name="message"/> is not null).</summary>
    public void MessageAccepted(ReceivedMessage? message, long bytes)
    {
        Interlocked.Add(ref _bytesReceived, bytes);
        if (message is not null)
        {
            lock (_gate)
            {
                _messages.Add(message);
            }
        }

        _messageWaiters.Notify(Interlocked.Increment(ref _messagesReceived));
    }

    public Task WaitForMessagesAsync(int count, TimeSpan timeout) =>
        _messageWaiters.WaitAsync(count, () => MessagesReceived, timeout, "messages");

    /// <summary>Forgets recorded messages, command lines and closed sessions (counters are kept).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
            _commandLog.Clear();
            _sessions.RemoveAll(session => !session.Snapshot().IsOpen);
        }
    }
}
