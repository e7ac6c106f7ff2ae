namespace MailActors.Outbox;

/// <summary>
/// Bounds what the outbox holds in memory. Unfinished messages live in their partition's state with their contents, so
/// without a bound a backlog (a campaign enqueued at once) would grow the process until it fails, and the restart would
/// fail the same way while replaying it. Each unfinished message is charged its content's size, while the content is in
/// memory (contents of long-deferred messages are evicted: <see cref="OutboxOptions.DeferredContentInMemoryWithin"/>),
/// plus <see cref="StateBytesPerMessage"/>; an enqueue reserves its messages' charge first and waits,
/// in arrival order, while the limit would be exceeded. Partitions report what they hold after recovery and after each
/// write, so finished messages make room and a restart starts from the recovered backlog.
/// </summary>
internal sealed class ContentBudget
{
    /// <summary>
    /// What one unfinished message's state costs besides its content (envelope, recipients, bookkeeping), roughly. A
    /// deferred single-recipient message holds about 0.7 KB of live heap beyond its content (measured by
    /// <c>benchmarks/outbox/recovery.sh</c>, <c>state_b</c>), so this leaves room for longer envelopes and more recipients.
    /// </summary>
    public const long StateBytesPerMessage = 2048;

    private readonly object _lock = new();
    private readonly long _limit;
    private readonly long[] _heldByPartition;
    private readonly LinkedList<Waiter> _waiters = new();
    private long _held;
    private long _reserved;
    private bool _closed;

    /// <param name="limit">The most, in charged bytes, that unfinished and reserved messages may hold together.</param>
    /// <param name="partitions">How many partitions report.</param>
    public ContentBudget(long limit, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _limit = limit;
        _heldByPartition = new long[partitions];
    }

    /// <summary>What the partitions hold and the enqueues in progress have reserved.</summary>
    public long InUse
    {
        get
        {
            lock (_lock)
            {
                return _held + _reserved;
            }
        }
    }

    /// <summary>The charge of one message with <paramref name="contentLength"/> octets of content.</summary>
    public static long ChargeFor(long contentLength) => contentLength + StateBytesPerMessage;

    /// <summary>
    /// Reserves <paramref name="bytes"/> once they fit under the limit and every earlier reservation has been served.
    /// A reservation larger than the limit is served once less than the limit is in use.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; nothing is reserved.</exception>
    /// <exception cref="ObjectDisposedException">The outbox was disposed while waiting.</exception>
    public Task ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(Outbox), "The outbox was disposed.");
            }
            if (_waiters.Count == 0 && Fits(bytes))
            {
                _reserved += bytes;
                return Task.CompletedTask;
            }
            var waiter = new Waiter(bytes);
            var node = _waiters.AddLast(waiter);
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.Register(() => Cancel(node, cancellationToken));
            }
            return waiter.Completion.Task;
        }
    }

    /// <summary>Gives back a reservation whose messages were not accepted (refused, or journaled before).</summary>
    public void Unreserve(long bytes)
    {
        lock (_lock)
        {
            _reserved -= bytes;
            ServeWaiters();
        }
    }

    /// <summary>
    /// A partition reports what it holds now. Accepted messages move from an enqueue's reservation to here: the
    /// enqueue gives its reservation back once the partition has answered (<see cref="Unreserve"/>), so until then they
    /// count twice, which only delays the next enqueue a moment.
    /// </summary>
    public void Report(int partition, long bytes)
    {
        lock (_lock)
        {
            _held += bytes - _heldByPartition[partition];
            _heldByPartition[partition] = bytes;
            ServeWaiters();
        }
    }

    /// <summary>Fails every waiting reservation: the outbox is being disposed.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var waiter in _waiters)
            {
                waiter.Registration.Unregister();
                waiter.Completion.TrySetException(new ObjectDisposedException(nameof(Outbox), "The outbox was disposed while the enqueue waited for room."));
            }
            _waiters.Clear();
        }
    }

    // A reservation larger than the limit could never fit: it goes in as soon as there is any room at all, so the bound
    // is exceeded by at most that one call (waiting for an empty outbox could mean waiting for a long outage to end).
    private bool Fits(long bytes) => _held + _reserved + bytes <= _limit || (bytes > _limit && _held + _reserved < _limit);

    private void ServeWaiters()
    {
        while (_waiters.First is { } first && Fits(first.Value.Bytes))
        {
            _waiters.RemoveFirst();
            _reserved += first.Value.Bytes;
            // Unregister, not Dispose: Dispose would wait for a cancellation callback blocked on this lock.
            first.Value.Registration.Unregister();
            first.Value.Completion.TrySetResult();
        }
    }

    private void Cancel(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return; // served or failed already
            }
            _waiters.Remove(node);
            node.Value.Completion.TrySetCanceled(cancellationToken);
            ServeWaiters(); // the next in line may fit where this one did not
        }
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
