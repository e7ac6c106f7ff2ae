using System.Diagnostics;
using System.Globalization;
using MailActors.Outbox;

namespace MailActors.Cli.Commands.Bulk;

/// <summary>
/// Journals a bulk input batch by batch and keeps the resume cursor's promise: a message refused because its partition
/// was not running (<see cref="OutboxRejection.Unavailable"/>: restarting after a journal failure, or stopped) is not a
/// rejection but a retry, until it is journaled or <see cref="UnavailableRetry.GiveUpAfter"/> has passed
/// (<see cref="NotJournaledException"/>). Counted as rejected and passed over, such messages were lost: a later position
/// of their partition, once journaled, made every later run skip them.
/// </summary>
internal sealed class BulkJournal(Outbox.Outbox outbox, SourceCursor resumed, UnavailableRetry retry, TextWriter errors)
{
    // Per partition, the highest input position journaled in this run (the store's cursor as it is now, with resumed).
    private readonly Dictionary<int, long> _journaled = [];
    private readonly List<OutboxMessage> _unavailable = [];

    /// <summary>Messages refused for good (too large, a bad address...), each reported on the error output.</summary>
    public long Rejected { get; private set; }

    /// <summary>Whether some messages wait for their partition; call <see cref="RetryUnavailableAsync"/> before going on.</summary>
    public bool HasUnavailable => _unavailable.Count > 0;

    /// <summary>Messages journaled on a retry in this run.</summary>
    public long JournaledOnRetry { get; private set; }

    public async Task<Written> WriteAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken ct) =>
        new(batch, batch, batch.Count == 0 ? [] : await outbox.EnqueueBatchAsync(batch, ct).ConfigureAwait(false));

    /// <summary>Takes in the results of a write: what was journaled moves the cursor, what was unavailable waits for a retry.</summary>
    public async Task SettleAsync(Written written)
    {
        for (var i = 0; i < written.Results.Count; i++)
        {
            var result = written.Results[i];
            if (result.Outcome != EnqueueOutcome.Rejected)
            {
                // AlreadyAccepted counts too: the cursor may already be past it, and thinking it further than it is
                // only costs a retry its position (below), never the retry itself.
                if (written.Sent[i].Source is { } source)
                {
                    var partition = outbox.PartitionOf(result.MessageId);
                    _journaled[partition] = Math.Max(source.Position, _journaled.GetValueOrDefault(partition, long.MinValue));
                }
            }
            else if (result.Rejection == OutboxRejection.Unavailable)
            {
                _unavailable.Add(written.Messages[i]);
            }
            else
            {
                Rejected++;
                await errors.WriteLineAsync($"rejected {result.MessageId}: {result.Error}").ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Enqueues the unavailable messages again, with backoff, until every one is journaled. Call it with no write in
    /// flight: each retry decides from what is journaled whether a message may keep its input position.
    /// </summary>
    /// <exception cref="NotJournaledException">Some are still refused after <see cref="UnavailableRetry.GiveUpAfter"/> (each is listed on the error output).</exception>
    public async Task RetryUnavailableAsync(CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        var delay = retry.FirstDelay;
        string? lastError = null;
        while (_unavailable.Count > 0)
        {
            var left = retry.GiveUpAfter - waited.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw await GiveUpAsync(waited.Elapsed, lastError).ConfigureAwait(false);
            }
            await retry.Wait(delay < left ? delay : left, ct).ConfigureAwait(false);
            delay = delay * 2 < retry.LongestDelay ? delay * 2 : retry.LongestDelay;
            var pending = _unavailable.OrderBy(m => m.Source?.Position ?? long.MaxValue).ToArray();
            _unavailable.Clear();
            var sent = WithoutUnsafePositions(pending);
            var results = await outbox.EnqueueBatchAsync(sent, ct).ConfigureAwait(false);
            await SettleAsync(new Written(pending, sent, results)).ConfigureAwait(false);
            JournaledOnRetry += results.Count(r => r.Outcome != EnqueueOutcome.Rejected);
            lastError = results.FirstOrDefault(r => r.Rejection == OutboxRejection.Unavailable)?.Error ?? lastError;
        }
    }

    /// <summary>
    /// The retry of <paramref name="pending"/> (in input order), each with its input position only where the partition
    /// cannot take it for one it journaled. A partition answers <see cref="EnqueueOutcome.AlreadyAccepted"/> for any
    /// position up to the highest it journaled from the input, so a message retried with its position after a later one
    /// of its partition was journaled would be passed over, never journaled. Without its position it is deduplicated by
    /// its id alone, and the cursor covers it through that later position. So only the last pending message of each
    /// partition keeps its position, and only when nothing after it was journaled: an earlier one could be passed over
    /// because of it (a refused message may still have been journaled, when its partition stopped with the write under
    /// way). The last one keeps it because the cursor must cover it once it is journaled, or a later run would enqueue
    /// it again.
    /// </summary>
    private OutboxMessage[] WithoutUnsafePositions(OutboxMessage[] pending)
    {
        var last = pending.Where(m => m.Source is not null)
            .GroupBy(m => outbox.PartitionOf(m.Mail.MessageId!))
            .ToDictionary(g => g.Key, g => g.MaxBy(m => m.Source!.Value.Position)!);
        return pending.Select(m =>
        {
            if (m.Source is not { } source)
            {
                return m;
            }
            var partition = outbox.PartitionOf(m.Mail.MessageId!);
            var keeps = ReferenceEquals(last[partition], m) && !Journaled(partition, m.Mail.MessageId!, source.Position);
            return keeps ? m : m with { Source = null };
        }).ToArray();
    }

    private bool Journaled(int partition, string id, long position) =>
        resumed.Contains(id, position) || (_journaled.TryGetValue(partition, out var highest) && position <= highest);

    private async Task<NotJournaledException> GiveUpAsync(TimeSpan waited, string? error)
    {
        var ids = _unavailable.Select(m => m.Mail.MessageId!).ToArray();
        // The cursor already covers these: a later run skips them as journaled.
        var skipped = _unavailable.Where(m => m.Source is { } s && Journaled(outbox.PartitionOf(m.Mail.MessageId!), m.Mail.MessageId!, s.Position))
            .Select(m => m.Mail.MessageId!).ToArray();
        foreach (var id in ids)
        {
            await errors.WriteLineAsync($"not journaled {id}: {error ?? "its outbox partition was not running"}").ConfigureAwait(false);
        }
        return new NotJournaledException(ids, skipped, waited);
    }

    /// <summary>One write: the messages, what was sent for them (a retry may drop positions), and the results, in order.</summary>
    public sealed record Written(IReadOnlyList<OutboxMessage> Messages, IReadOnlyList<OutboxMessage> Sent, IReadOnlyList<EnqueueResult> Results);
}

/// <summary>How <see cref="BulkJournal"/> retries messages whose partition was not running.</summary>
/// <param name="FirstDelay">The wait before the first retry; it doubles after each.</param>
/// <param name="LongestDelay">The longest wait between two retries.</param>
/// <param name="GiveUpAfter">How long messages may stay unjournaled before the run fails.</param>
internal sealed record UnavailableRetry(TimeSpan FirstDelay, TimeSpan LongestDelay, TimeSpan GiveUpAfter)
{
    /// <summary>
    /// A partition's backoff supervisor starts it again 200 ms after a journal failure, doubling up to 10 s: a minute
    /// covers several of its attempts, a store that recovers within it costs no failed run, and one that does not is
    /// reported while the operator is still watching.
    /// </summary>
    public static UnavailableRetry Default { get; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));

    /// <summary>Waits between retries (<see cref="Task.Delay(TimeSpan, CancellationToken)"/>; tests change the store while it waits).</summary>
    public Func<TimeSpan, CancellationToken, Task> Wait { get; init; } = Task.Delay;
}

/// <summary>
/// Messages of a bulk run whose partition stayed unavailable until the run gave up: nothing of them was journaled. The
/// message names them and says whether a run with the same store picks them up again.
/// </summary>
internal sealed class NotJournaledException(IReadOnlyList<string> messageIds, IReadOnlyList<string> skippedByLaterRuns, TimeSpan waited)
    : Exception(Describe(messageIds, skippedByLaterRuns, waited))
{
    private const int IdsNamed = 10;

    public IReadOnlyList<string> MessageIds => messageIds;

    /// <summary>The ones a later run will not enqueue: their partition journaled a later input position since.</summary>
    public IReadOnlyList<string> SkippedByLaterRuns => skippedByLaterRuns;

    private static string Describe(IReadOnlyList<string> ids, IReadOnlyList<string> skipped, TimeSpan waited)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{ids.Count} message(s) were not journaled: their outbox partition was not running for {waited.TotalSeconds:F0} s (restarting after a journal failure, or stopped): {Named(ids)}");
        return skipped.Count == 0
            ? text + "; a run with the same store enqueues them again"
            : text + $"; {skipped.Count} of them come before messages of their partition journaled since, and a run with the same store will not enqueue them again: {Named(skipped)}";
    }

    private static string Named(IReadOnlyList<string> ids) =>
        string.Join(", ", ids.Take(IdsNamed)) + (ids.Count > IdsNamed ? $" and {ids.Count - IdsNamed} more (listed above)" : "");
}
