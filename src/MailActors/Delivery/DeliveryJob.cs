using System.Diagnostics;
using MailActors.Protocol.Smtp;

namespace MailActors.Delivery;

/// <summary>
/// One message on one route, from admission to its last outcome. Carries the caller's completion; owned by the route
/// supervisor once read from the route's queue.
/// </summary>
internal sealed class DeliveryJob
{
    private readonly Dictionary<string, RecipientOutcome> _final;
    private readonly TaskCompletionSource<DeliveryReport> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Action? _onSettled;

    /// <param name="mail">The message.</param>
    /// <param name="recipients">The recipients this route carries.</param>
    /// <param name="onSettled">Runs once when the job completes or fails, on the thread that settles it.</param>
    public DeliveryJob(OutgoingMail mail, IReadOnlyList<string> recipients, Action? onSettled = null)
    {
        Mail = mail;
        _onSettled = onSettled;
        AllRecipients = recipients;
        Pending = new List<string>(recipients);
        _final = new Dictionary<string, RecipientOutcome>(recipients.Count, StringComparer.OrdinalIgnoreCase);
    }

    public OutgoingMail Mail { get; }

    /// <summary>The recipients this route carries, in the caller's order.</summary>
    public IReadOnlyList<string> AllRecipients { get; }

    /// <summary>Recipients still without a final outcome.</summary>
    public List<string> Pending { get; }

    public int Attempts { get; private set; }

    public long StartedTimestamp { get; } = Stopwatch.GetTimestamp();

    /// <summary>When the next attempt may start (retry backoff).</summary>
    public DateTime NotBefore { get; set; } = DateTime.MinValue;

    /// <summary>The last transient outcome of each pending recipient, reported if attempts run out (made on the first).</summary>
    private Dictionary<string, RecipientOutcome>? _lastTransient;

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

    /// <summary>The final outcome <paramref name="address"/> has so far, if any.</summary>
    public DeliveryStatus? FinalStatusOf(string address) => _final.TryGetValue(address, out var outcome) ? outcome.Status : null;

    public void Defer(string address, SmtpReply? reply, string? error) =>
        (_lastTransient ??= new(StringComparer.OrdinalIgnoreCase))[address] = new RecipientOutcome(address, DeliveryStatus.Deferred, reply, error);

    /// <summary>Drops settled recipients from <see cref="Pending"/>; true when nobody is left.</summary>
    public bool Prune()
    {
        // In place and without LINQ: this runs once per attempt of every message.
        var kept = 0;
        for (var i = 0; i < Pending.Count; i++)
        {
            if (!_final.ContainsKey(Pending[i]))
            {
                Pending[kept++] = Pending[i];
            }
        }
        Pending.RemoveRange(kept, Pending.Count - kept);
        return kept == 0;
    }

    /// <summary>Settles every pending recipient as deferred with its last transient outcome (attempts used up, circuit open).</summary>
    public void DeferRemaining(string error)
    {
        foreach (var address in Pending)
        {
            _final[address] = _lastTransient is not null && _lastTransient.TryGetValue(address, out var last)
                ? last
                : new RecipientOutcome(address, DeliveryStatus.Deferred, null, error);
        }
        Pending.Clear();
    }

    public DeliveryReport Complete()
    {
        var outcomes = new RecipientOutcome[AllRecipients.Count];
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = _final[AllRecipients[i]];
        }
        var report = new DeliveryReport(Mail.MessageId, outcomes, Attempts, Stopwatch.GetElapsedTime(StartedTimestamp));
        if (_completion.TrySetResult(report))
        {
            _onSettled?.Invoke();
        }
        return report;
    }

    public void Fail(Exception error)
    {
        if (_completion.TrySetException(error))
        {
            _onSettled?.Invoke();
        }
    }
}
