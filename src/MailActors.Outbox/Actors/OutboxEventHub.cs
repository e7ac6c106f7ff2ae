using System.Threading.Channels;

namespace MailActors.Outbox.Actors;

/// <summary>Fans live events out to subscribers, each with a bounded channel that drops its oldest events when the reader lags.</summary>
internal sealed class OutboxEventHub
{
    private volatile Channel<OutboxEvent>[] _subscribers = [];
    private readonly object _gate = new();

    public bool HasSubscribers => _subscribers.Length > 0;

    public void Publish(OutboxEvent e)
    {
        foreach (var channel in _subscribers)
        {
            channel.Writer.TryWrite(e);
        }
    }

    public Channel<OutboxEvent> Add(int capacity)
    {
        var channel = Channel.CreateBounded<OutboxEvent>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = false,
            SingleWriter = false,
        });
        lock (_gate)
        {
            _subscribers = [.. _subscribers, channel];
        }
        return channel;
    }

    public void Remove(Channel<OutboxEvent> channel)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Where(c => c != channel).ToArray();
        }
        channel.Writer.TryComplete();
    }

    public void CompleteAll()
    {
        lock (_gate)
        {
            foreach (var channel in _subscribers)
            {
                channel.Writer.TryComplete();
            }
            _subscribers = [];
        }
    }
}
