namespace MailActors.Testing;

/// <summary>Lets callers await a monotonically growing counter reaching a target (e.g. "3 messages received").</summary>
internal sealed class CountWaiters
{
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Completes the waits whose target <paramref name="current"/> has reached.</summary>
    public void Notify(long current)
    {
        lock (_gate)
        {
            if (_waiters.Count == 0)
            {
                return;
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= current)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Waits until <paramref name="readCurrent"/> reaches <paramref name="target"/>; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(long target, Func<long> readCurrent, TimeSpan timeout, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (readCurrent() >= target)
            {
                return;
            }

            _waiters.Add((target, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.RemoveAll(waiter => waiter.Done == done);
            }

            throw new TimeoutException($"Waited {timeout} for {target} {what}; got {readCurrent()}.");
        }
    }
}
