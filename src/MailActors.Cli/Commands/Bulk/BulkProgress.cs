using System.Globalization;
using MailActors.Outbox;

namespace MailActors.Cli.Commands.Bulk;

/// <summary>
/// The bulk progress display: queued, in flight, delivered, deferred, bounced and the delivery rate, redrawn in place on
/// a terminal, or one line per second when the output is redirected.
/// </summary>
internal sealed class BulkProgress(Outbox.Outbox outbox, long? total, OutboxCounts start, bool bar) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private bool _inputDone;

    public void Start() => _loop = LoopAsync(_stop.Token);

    public void InputDone() => _inputDone = true;

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        if (bar)
        {
            Console.WriteLine();
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var lastDelivered = start.Delivered;
        var lastAt = DateTime.UtcNow;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(bar ? 250 : 1000, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            OutboxCounts counts;
            try
            {
                counts = await outbox.GetCountsAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or Akka.Actor.AskTimeoutException)
            {
                continue;
            }
            var now = DateTime.UtcNow;
            var rate = (counts.Delivered - lastDelivered) / Math.Max(0.001, (now - lastAt).TotalSeconds);
            lastDelivered = counts.Delivered;
            lastAt = now;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"queued {counts.Queued,7}  in flight {counts.InFlight,5}  delivered {counts.Delivered,8}  deferred {counts.Deferred,6}  bounced {counts.Bounced,6}  {rate,7:F0} msg/s{(_inputDone ? "" : "  reading input")}");
            if (bar)
            {
                var done = counts.Delivered + counts.Bounced + counts.Expired + counts.Suppressed;
                var fraction = total is > 0 ? Math.Clamp(done / (double)total.Value, 0, 1) : 0;
                var filled = (int)(fraction * 24);
                Console.Write($"\r[{new string('#', filled)}{new string('.', 24 - filled)}] {fraction,4:P0}  {line}   ");
            }
            else
            {
                Console.WriteLine("progress: " + line);
            }
        }
    }

    public void Dispose() => _stop.Dispose();
}
