using System.Diagnostics;
using MailActors.Protocol.Smtp;

namespace MailActors.Delivery;

/// <summary>
/// One message on one route, from admission to its last outcome. Carries the caller's completion; owned by the route
/// supervisor once read from the route's queue.
/// </summary>
internal sealed class DeliveryJob
{
    private readonly Dictionary<string, RecipientOutcome> _final = new(StringComparer.OrdinalIgnoreCase);
    private readonly TaskCompletionSource<DeliveryReport> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DeliveryJob(OutgoingMail mail, IReadOnlyList<string> recipients)
    {
        Mail = mail;
        AllRecipients = recipients;
        Pending = recipients.ToList();
    }

    public OutgoingMail Mail { get; }

    /// <summary>The recipients this route carries, in the caller's order.</summary>
    public IReadOnlyList<string> AllRecipients { get; }

    /// <summary>Recipients still without a final outcome.</summary>
    public List<string> Pending { get; private set; }

    public int Attempts { get; private set; }

    public long StartedTimestamp { get; } = Stopwatch.GetTimestamp();

    /// <summary>When the next attempt may start (retry backoff).</summary>
    public DateTime NotBefore { get; set; } = DateTime.MinValue;

    /// <summary>The last transient outcome of each pending recipient, reported if attempts run out.</summary>
    private readonly Dictionary<string, RecipientOutcome> _lastTransient = new(StringComparer.OrdinalIgnoreCase);

    public Activity? Activity { get; set; }

    public Task<DeliveryReport> Completion => _completion.Task;

    public void BeginAttempt() => Attempts++;

    /// <summary>
    /// Takes back the attempt begun for a transaction whose content never reached the server (it waited behind one
    /// that killed the session). Granted twice per job, so a message that itself breaks sessions from behind others
    /// still runs out of attempts instead of costing theirs forever.
    /// </summary>
    public bool TryReturnUnsent()
    {
        if (_unsentReturns >= MaxUnsentReturns || Attempts == 0)
        {
            return false;
        }
        _unsentReturns++;
        Attempts--;
        return true;
    }

    private const int MaxUnsentReturns = 2;
    private int _unsentReturns;

    public void Settle(string address, DeliveryStatus status, SmtpReply? reply, string? error = null) =>
        _final[address] = new RecipientOutcome(address, status, reply, error);

    public void Defer(string address, SmtpReply? reply, string? error) =>
        _lastTransient[address] = new RecipientOutcome(address, DeliveryStatus.Deferred, reply, error);

    /// <summary>Drops settled recipients from <see cref="Pending"/>; true when nobody is left.</summary>
    public bool Prune()
    {
        Pending = Pending.Where(a => !_final.ContainsKey(a)).ToList();
        return Pending.Count == 0;
    }

    /// <summary>Settles every pending recipient as deferred with its last transient outcome (attempts used up, circuit open).</summary>
    public void DeferRemaining(string error)
    {
        foreach (var address in Pending)
        {
            _final[address] = _lastTransient.TryGetValue(address, out var last) ? last : new RecipientOutcome(address, DeliveryStatus.Deferred, null, error);
        }
        Pending = [];
    }

    public DeliveryReport Complete()
    {
        var report = new DeliveryReport(Mail.MessageId, AllRecipients.Select(a => _final[a]).ToArray(), Attempts, Stopwatch.GetElapsedTime(StartedTimestamp));
        _completion.TrySetResult(report);
        return report;
    }

    public void Fail(Exception error) => _completion.TrySetException(error);
}
