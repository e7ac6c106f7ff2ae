namespace MailActors.Load;

/// <summary>
/// Slots waiting for a connection, started in turn as the connect rate allows. A slot that is no longer waiting is
/// dropped; one whose connection would find no work is retired instead of connected.
/// </summary>
internal sealed class ConnectQueue<TSlot>
{
    private readonly Queue<TSlot> _waiting = new();

    public void Enqueue(TSlot slot) => _waiting.Enqueue(slot);

    public void Clear() => _waiting.Clear();

    /// <summary>Starts queued connections until the queue is empty or <paramref name="tryTakeConnect"/> says not yet.</summary>
    /// <param name="stillWaiting">Whether a queued slot still wants a connection.</param>
    /// <param name="worthConnecting">Whether a new connection would find work; when not, the slot is retired.</param>
    /// <param name="retire">Retires a slot.</param>
    /// <param name="tryTakeConnect">The connect rate's say; counts the connection when it allows it.</param>
    /// <param name="connect">Starts the slot's connection; told whether it is the run's first.</param>
    public void Drain(Func<TSlot, bool> stillWaiting, Func<bool> worthConnecting, Action<TSlot> retire, Func<bool> tryTakeConnect, Action<TSlot> connect)
    {
        while (_waiting.TryPeek(out var slot))
        {
            if (!stillWaiting(slot))
            {
                _waiting.Dequeue();
                continue;
            }
            if (!worthConnecting())
            {
                _waiting.Dequeue();
                retire(slot);
                continue;
            }
            if (!tryTakeConnect())
            {
                return;
            }
            _waiting.Dequeue();
            connect(slot);
        }
    }
}
