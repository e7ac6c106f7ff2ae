using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using MailActors.Delivery;
using MailActors.Outbox.Actors;
using MailActors.Outbox.Dsn;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using static MailActors.Outbox.Actors.PartitionProtocol;

namespace MailActors.Outbox;

/// <summary>
/// The durable outbox: messages are journaled (Akka.Persistence.Sql on SQLite or PostgreSQL) before
/// <see cref="EnqueueAsync(OutboxMessage, CancellationToken)"/> returns, then delivered through a <see cref="Mailer"/>
/// with retries, expiry, bounces, DSNs and a suppression list. After a crash every unfinished message resumes;
/// delivery is at-least-once, with duplicates bounded by <see cref="OutboxOptions.InFlight"/>.
/// </summary>
public sealed class Outbox : IAsyncDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private readonly ActorSystem _system;
    private readonly OutboxOptions _options;
    private readonly Mailer? _mailer;
    private readonly RouteResolver _routes;
    private readonly SuppressionSet _suppression;
    private readonly OutboxEventHub _events;
    private readonly ContentBudget _budget;
    private readonly IActorRef _undelivered;
    private readonly IActorRef _suppressionActor;
    private readonly IActorRef[] _partitions;
    private readonly SemaphoreSlim _submitGate = new(1, 1);
    private int _disposed;

    private Outbox(ActorSystem system, OutboxOptions options, Mailer? mailer, RouteResolver routes, SuppressionSet suppression,
        OutboxEventHub events, ContentBudget budget, IActorRef undelivered, IActorRef suppressionActor, IActorRef[] partitions)
    {
        _budget = budget;
        _undelivered = undelivered;
        _system = system;
        _options = options;
        _mailer = mailer;
        _routes = routes;
        _suppression = suppression;
        _events = events;
        _suppressionActor = suppressionActor;
        _partitions = partitions;
    }

    /// <summary>The options in force (with the partition count the store was created with).</summary>
    public OutboxOptions Options => _options;

    /// <summary>The partitions' actors (status queries, tests).</summary>
    internal IReadOnlyList<IActorRef> Partitions => _partitions;

    /// <summary>
    /// Starts the outbox in <paramref name="system"/>, which must have been created with <see cref="OutboxStore.ToConfig"/>
    /// (call <see cref="OutboxStore.PrepareAsync"/> first). Returns when every partition has recovered; unfinished
    /// messages start resuming at once. <paramref name="mailer"/> gives the routes (null only with <see cref="OutboxOptions.Passive"/>).
    /// </summary>
    /// <exception cref="OutboxStartException">
    /// The store cannot be used: its journal or snapshot store failed to initialize (e.g. a role without the right to
    /// create the tables), or part of the outbox could not be recovered from the journal; thrown as soon as the failure
    /// shows, with the store's error as the inner exception. Nothing the start created is left running.
    /// </exception>
    public static async Task<Outbox> StartAsync(ActorSystem system, OutboxOptions options, MailerOptions? mailer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        if (mailer is null && !options.Passive)
        {
            throw new ArgumentException("An outbox that delivers needs the mailer's routes.", nameof(mailer));
        }
        if (options.Partitions < 1 || options.InFlight < 1 || options.MaxUnfinishedBytes < 1)
        {
            throw new ArgumentException("Partitions, in-flight and max-unfinished-bytes must be at least 1.", nameof(options));
        }
        var prefix = options.PersistenceIdPrefix;
        var instance = Guid.NewGuid().ToString("N")[..8];
        var started = new List<IActorRef>();
        Mailer? engine = null;
        var guard = new StartupGuard(system, $"outbox-start-{instance}", cancellationToken);
        await using (guard.ConfigureAwait(false))
        {
            try
            {
                IActorRef Start(Props props, string name)
                {
                    var actor = system.ActorOf(props, name);
                    started.Add(actor);
                    return actor;
                }

                var meta = Start(OutboxMetaActor.Props(prefix + "-meta", options.Partitions, options.Passive,
                    guard.RecoveryFailed($"The outbox's partition count ({prefix}-meta)")), $"outbox-meta-{instance}");
                var partitions = await guard.RunAsync(token => meta.Ask<int>(OutboxMetaActor.GetPartitions.Instance, AskTimeout, token)).ConfigureAwait(false);
                await meta.GracefulStop(AskTimeout).ConfigureAwait(false);
                if (partitions != options.Partitions)
                {
                    system.Log.Warning("The outbox store was created with {0} partitions; using {0}, not the configured {1}", partitions, options.Partitions);
                    options = options with { Partitions = partitions };
                }

                var suppression = new SuppressionSet();
                var suppressionActor = Start(Supervised(SuppressionListActor.Props(prefix + "-suppression", suppression, options.Passive,
                    guard.RecoveryFailed($"The suppression list ({prefix}-suppression)")), "list"), $"outbox-suppression-{instance}");
                await guard.RunAsync(token => suppressionActor.Ask<SuppressionListActor.Ready>(SuppressionListActor.Ready.Instance, AskTimeout, token)).ConfigureAwait(false);

                var routes = new RouteResolver(mailer);
                engine = options.Passive ? null : Mailer.Create(system, mailer!);
                var events = new OutboxEventHub();
                var budget = new ContentBudget(options.MaxUnfinishedBytes, partitions);
                var undelivered = Start(UndeliveredEnqueues.Props(), $"outbox-undelivered-{instance}");
                var refs = new IActorRef[partitions];
                Outbox? outbox = null;
                var windows = SplitInFlight(options.InFlight, partitions);
                for (var i = 0; i < partitions; i++)
                {
                    var context = new PartitionContext(i, $"{prefix}-partition-{i}", options, windows[i], engine, routes, suppression,
                        (address, exactAddresses, reason) => suppressionActor.Tell(new SuppressionListActor.Suppress(address, reason, exactAddresses)),
                        request => outbox!.EnqueueDsnAsync(request),
                        events,
                        budget,
                        guard.RecoveryFailed($"Outbox partition {i} ({prefix}-partition-{i})"));
                    refs[i] = Start(Supervised(OutboxPartition.Props(context), "partition"), $"outbox-{instance}-partition-{i}");
                }
                outbox = new Outbox(system, options, engine, routes, suppression, events, budget, undelivered, suppressionActor, refs);
                await guard.RunAsync(token => Task.WhenAll(refs.Select(p => p.Ask<WaitRecovered>(WaitRecovered.Instance, TimeSpan.FromMinutes(5), token)))).ConfigureAwait(false);
                return outbox;
            }
            catch
            {
                // A failed start leaves nothing behind: partitions under their backoff supervisors would go on
                // restarting against the store for ever.
                foreach (var actor in started)
                {
                    system.Stop(actor);
                }
                if (engine is not null)
                {
                    await engine.DisposeAsync().ConfigureAwait(false);
                }
                throw;
            }
        }
    }

    /// <summary>A journal failure stops a persistent actor; restart it (recovering from the journal) with backoff.</summary>
    private static Props Supervised(Props child, string name) =>
        BackoffSupervisor.Props(Backoff.OnStop(child, name, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, -1)
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)));

    /// <summary>
    /// Journals a message; returns once it is durable. Throws when it is refused. Waits while the outbox holds
    /// <c>max-unfinished-bytes</c> (the backpressure).
    /// </summary>
    /// <exception cref="OutboxRejectedException">
    /// <see cref="OutboxRejectedException.Reason"/> says why: too large, a bad address or parameter, no message id,
    /// unreadable content, an unknown route (nothing was journaled); or <see cref="OutboxRejection.Unavailable"/>: the
    /// outbox is passive (read-only) or the message's partition is not running, and the message may be enqueued again
    /// (an id already journaled comes back <see cref="EnqueueOutcome.AlreadyAccepted"/>).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The outbox is disposed, or was disposed while the call waited for room.</exception>
    public async Task<EnqueueResult> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken = default)
    {
        var result = (await EnqueueBatchAsync([message], cancellationToken).ConfigureAwait(false))[0];
        return result.Outcome == EnqueueOutcome.Rejected ? throw Refusal(result) : result;
    }

    /// <summary>A <see cref="EnqueueOutcome.Rejected"/> result as the exception the single-message forms throw.</summary>
    private static OutboxRejectedException Refusal(EnqueueResult rejected) =>
        new(rejected.MessageId, rejected.Rejection, rejected.Error ?? "rejected");

    /// <summary>Journals a message; see <see cref="EnqueueAsync(OutboxMessage, CancellationToken)"/>.</summary>
    public Task<EnqueueResult> EnqueueAsync(OutgoingMail mail, CancellationToken cancellationToken = default) =>
        EnqueueAsync(new OutboxMessage(mail), cancellationToken);

    /// <summary>
    /// Journals several messages in as few writes as possible; returns one result per message, in order, once every
    /// accepted one is durable. Refused messages are results (<see cref="EnqueueOutcome.Rejected"/>), not exceptions,
    /// with the same reasons as <see cref="EnqueueAsync(OutboxMessage, CancellationToken)"/>: a partition that is not
    /// running refuses its own messages as <see cref="OutboxRejection.Unavailable"/> and the others are journaled.
    /// Waits while the outbox holds <c>max-unfinished-bytes</c>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The outbox is disposed, or was disposed while the call waited for room.</exception>
    public async Task<IReadOnlyList<EnqueueResult>> EnqueueBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var results = new EnqueueResult[messages.Count];
        var byPartition = new Dictionary<int, PartitionGroup>();
        var completions = new Dictionary<int, TaskCompletionSource<EnqueueResult[]>>();
        // Calls hand their messages to the partitions in the order they were made (the gate is taken before any
        // await), so input positions reach each partition's journal in order even with several calls in flight.
        await _submitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var prepared = await PrepareAsync(messages[i], cancellationToken).ConfigureAwait(false);
                if (prepared.Rejected is { } rejected)
                {
                    results[i] = rejected;
                    continue;
                }
                var partition = PartitionOf(prepared.Message!.Id);
                if (!byPartition.TryGetValue(partition, out var group))
                {
                    byPartition[partition] = group = new PartitionGroup();
                }
                group.Add(prepared.Message, i);
            }
            if (!_options.Passive)
            {
                // Backpressure: wait, still in arrival order, until the messages fit under max-unfinished-bytes.
                var charge = byPartition.Values.Sum(g => g.Charge);
                if (charge > 0)
                {
                    await _budget.ReserveAsync(charge, cancellationToken).ConfigureAwait(false);
                }
                if (_disposed != 0)
                {
                    // Disposed while waiting: the partitions are going away and would never answer.
                    _budget.Unreserve(charge);
                    throw new ObjectDisposedException(nameof(Outbox));
                }
                foreach (var (partition, group) in byPartition)
                {
                    var completion = new TaskCompletionSource<EnqueueResult[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                    completions[partition] = completion;
                    // Once the partition answers, accepted messages are in its report and refused ones never held
                    // anything: the reservation goes back whether or not the caller is still waiting.
                    var groupCharge = group.Charge;
                    _ = completion.Task.ContinueWith(_ => _budget.Unreserve(groupCharge), CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    _partitions[partition].Tell(new Enqueue(group.Messages, completion));
                }
            }
        }
        finally
        {
            _submitGate.Release();
        }
        if (_options.Passive && byPartition.Count > 0)
        {
            foreach (var group in byPartition.Values)
            {
                foreach (var slot in group.Slots)
                {
                    results[slot] = Rejected(messages[slot].Mail.MessageId, OutboxRejection.Unavailable, "The outbox is read-only (passive).");
                }
            }
            return results;
        }
        var pending = byPartition.Select(async kv =>
        {
            try
            {
                var answers = await completions[kv.Key].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                for (var j = 0; j < answers.Length; j++)
                {
                    results[kv.Value.Slots[j]] = answers[j];
                }
            }
            catch (OutboxRejectedException unavailable) when (unavailable.Reason == OutboxRejection.Unavailable)
            {
                // One partition not running (restarting after a journal failure, or stopped) refuses only its own
                // messages: thrown, it took the other partitions' results with it, and the caller could not tell which
                // messages were journaled. A retry is safe either way: an id already journaled comes back AlreadyAccepted.
                foreach (var slot in kv.Value.Slots)
                {
                    results[slot] = Rejected(messages[slot].Mail.MessageId, OutboxRejection.Unavailable, unavailable.Message);
                }
            }
        }).ToArray();
        await Task.WhenAll(pending).ConfigureAwait(false);
        return results;
    }

    private sealed record Preparation(PreparedMessage? Message, EnqueueResult? Rejected);

    /// <summary>The messages of one call that go to one partition, where their results go, and their memory charge.</summary>
    private sealed class PartitionGroup
    {
        public List<PreparedMessage> Messages { get; } = [];

        public List<int> Slots { get; } = [];

        public long Charge { get; private set; }

        public void Add(PreparedMessage message, int slot)
        {
            Messages.Add(message);
            Slots.Add(slot);
            Charge += ContentBudget.ChargeFor(message.Accepted.Content.Length);
        }
    }

    private async Task<Preparation> PrepareAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mail = message.Mail;
        var id = mail.MessageId;
        if (string.IsNullOrEmpty(id))
        {
            return new(null, Rejected(id ?? "", OutboxRejection.InvalidAddress, "A message needs a message id."));
        }
        // The route comes first: each address is checked in the mode (exact-addresses or not) of the route it goes to.
        if (mail.Route is { } named && !_routes.Exists(named))
        {
            return new(null, Rejected(id, OutboxRejection.NoRoute, $"No route named '{named}'."));
        }
        RoutePlan? plan;
        try
        {
            plan = _routes.Plan(mail);
        }
        catch (ArgumentException e)
        {
            return new(null, Rejected(id, OutboxRejection.InvalidAddress, $"Invalid address: {e.Message}"));
        }
        try
        {
            if (plan is null)
            {
                mail.ValidateParameters();
            }
            else
            {
                plan.ValidateParameters();
            }
        }
        catch (ArgumentException e)
        {
            return new(null, Rejected(id, OutboxRejection.InvalidParameters, $"Invalid envelope parameter: {e.Message}"));
        }
        // The outbox matches DSNs by the decoded ENVID and its journal keeps the decoded forms only, so a pre-encoded
        // value would be lost on recovery: refused here rather than sent on some attempts and not on others.
        if (mail.Parameters is { EnvelopeIdRaw: not null } or { AuthRaw: not null })
        {
            return new(null, Rejected(id, OutboxRejection.InvalidParameters,
                "Invalid envelope parameter: the outbox takes ENVID and AUTH= as plain text (EnvelopeId, Auth), not pre-encoded (EnvelopeIdRaw, AuthRaw)."));
        }
        IEnumerable<string?> routes = plan is null ? [mail.Route] : plan.Groups.Select(g => (string?)g.Route.Name);
        var maxSize = routes.Min(r => _options.ForRoute(r).MaxMessageSize);
        if (MessageSizeCheck.BeforeReading(mail.Content, maxSize) is { } tooLarge)
        {
            return new(null, Rejected(id, OutboxRejection.TooLarge, tooLarge));
        }
        ReadOnlyMemory<byte> content;
        try
        {
            // The octets read never outnumber the octets transmitted, so the limit also bounds what a stream may fill.
            content = await MessageContentReader.ReadAllAsync(mail.Content, maxSize, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            return new(null, Rejected(id, OutboxRejection.TooLarge, $"{e.Message} Counted as read from its stream, before its line endings are made CRLF."));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new(null, Rejected(id, OutboxRejection.ContentUnreadable, $"The content could not be read: {e.Message}"));
        }
        if (MessageSizeCheck.AfterReading(mail.Content, content, maxSize) is { } tooLargeAsSent)
        {
            return new(null, Rejected(id, OutboxRejection.TooLarge, tooLargeAsSent));
        }
        var suppressed = _suppression.IsEmpty ? [] : SuppressedRecipients(mail, plan);
        var perRecipient = OwnParameters(mail);
        var envelope = new StoredEnvelope(mail.Sender, mail.Recipients.ToArray(), mail.Route, mail.Parameters, mail.RecipientParameters, perRecipient);
        var accepted = new MessageAccepted(id, default, envelope, content, message.Retry, message.Source?.Source, message.Source?.Position ?? 0, suppressed);
        return new(new PreparedMessage(accepted), null);
    }

    // Each recipient as the route it goes to reads it: on a route with exact-addresses "a <b@c>"@x is a mailbox of its
    // own, not b@c. In the message's order, as the caller wrote them.
    private string[] SuppressedRecipients(OutgoingMail mail, RoutePlan? plan)
    {
        if (plan is null)
        {
            return mail.Recipients.Where(r => _suppression.TryGetReason(r, out _)).ToArray();
        }
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in plan.Groups)
        {
            foreach (var recipient in group.Recipients)
            {
                if (_suppression.TryGetReason(recipient, group.Route.Session.ExactAddresses, out _))
                {
                    found.Add(recipient);
                }
            }
        }
        return found.Count == 0 ? [] : mail.Recipients.Where(found.Contains).ToArray();
    }

    // The recipients' own parameters, kept only for recipients of this message: what is journaled is what the attempts
    // will send (OutgoingMail already holds them in a case-insensitive copy of its own).
    private static Dictionary<string, RecipientParameters>? OwnParameters(OutgoingMail mail)
    {
        if (mail.PerRecipientParameters is not { Count: > 0 } given)
        {
            return null;
        }
        Dictionary<string, RecipientParameters>? own = null;
        foreach (var recipient in mail.Recipients)
        {
            if (given.TryGetValue(recipient, out var parameters))
            {
                (own ??= new Dictionary<string, RecipientParameters>(StringComparer.OrdinalIgnoreCase))[recipient] = parameters;
            }
        }
        return own;
    }

    /// <summary>
    /// Each partition's share of <see cref="OutboxOptions.InFlight"/>: the shares add up to it exactly (it bounds the
    /// duplicates after a crash), except that every partition gets at least one so that none is starved.
    /// </summary>
    internal static int[] SplitInFlight(int inFlight, int partitions)
    {
        var shares = new int[partitions];
        for (var i = 0; i < partitions; i++)
        {
            shares[i] = Math.Max(1, (inFlight / partitions) + (i < inFlight % partitions ? 1 : 0));
        }
        return shares;
    }

    private static EnqueueResult Rejected(string id, OutboxRejection reason, string error) =>
        new(id, EnqueueOutcome.Rejected, reason, error, []);

    /// <summary>
    /// The partition <paramref name="messageId"/> belongs to, from 0 to <see cref="OutboxOptions.Partitions"/> - 1 (the
    /// same in every process). A partition journals its messages in the order they were enqueued, which is what a
    /// <see cref="SourceCursor"/> relies on: a caller that enqueues again the messages refused as
    /// <see cref="OutboxRejection.Unavailable"/> needs it to tell whether a later position of theirs was journaled since.
    /// </summary>
    public int PartitionOf(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        return PartitionHash.Of(messageId, _partitions.Length);
    }

    /// <summary>The status of a message (unfinished, or finished recently: see <see cref="OutboxOptions.StatusRetention"/>); null when unknown.</summary>
    public async Task<MessageStatus?> GetStatusAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var answer = await _partitions[PartitionOf(messageId)].Ask<Status.Success>(new GetStatus(messageId), AskTimeout, cancellationToken).ConfigureAwait(false);
        return answer.Status as MessageStatus;
    }

    /// <summary>Recipient counts by state over all partitions.</summary>
    public async Task<OutboxCounts> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        var counts = await Task.WhenAll(_partitions.Select(p => p.Ask<OutboxCounts>(GetCounts.Instance, AskTimeout, cancellationToken))).ConfigureAwait(false);
        return counts.Aggregate(OutboxCounts.Zero, (a, b) => a + b);
    }

    /// <summary>How far the input <paramref name="source"/> was journaled (for resuming a bulk run).</summary>
    public async Task<SourceCursor> GetSourceCursorAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var highest = await Task.WhenAll(_partitions.Select(p => p.Ask<long>(new GetSourcePosition(source), AskTimeout, cancellationToken))).ConfigureAwait(false);
        return new SourceCursor(source, highest, PartitionOf);
    }

    /// <summary>
    /// Live delivery events (after they are journaled), including <see cref="DeliveryFailed"/> notifications. A reader
    /// that falls more than <paramref name="capacity"/> events behind loses the oldest; dispose the subscription to stop.
    /// </summary>
    public OutboxSubscription Subscribe(int capacity = 10_000)
    {
        var channel = _events.Add(capacity);
        return new OutboxSubscription(channel.Reader, () => _events.Remove(channel));
    }

    /// <summary>
    /// Puts <paramref name="address"/> on the suppression list (journaled before this returns). The address is read as
    /// the route its domain selects reads it: on a route with exact-addresses, <c>"a &lt;b@c&gt;"@x</c> is that mailbox,
    /// elsewhere it is <c>b@c</c>.
    /// </summary>
    public Task SuppressAsync(string address, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return _suppressionActor.Ask<bool>(new SuppressionListActor.Suppress(address, reason, _routes.ReadsExactly(null, address)), AskTimeout, cancellationToken);
    }

    /// <summary>Takes <paramref name="address"/> (read as in <see cref="SuppressAsync"/>) off the suppression list; false when it was not on it.</summary>
    public Task<bool> UnsuppressAsync(string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return _suppressionActor.Ask<bool>(new SuppressionListActor.Unsuppress(address, _routes.ReadsExactly(null, address)), AskTimeout, cancellationToken);
    }

    /// <summary>Whether <paramref name="address"/> (read as in <see cref="SuppressAsync"/>) is suppressed, and why.</summary>
    public bool IsSuppressed(string address, out string reason)
    {
        ArgumentNullException.ThrowIfNull(address);
        return _suppression.TryGetReason(address, !_suppression.IsEmpty && _routes.ReadsExactly(null, address), out reason);
    }

    /// <summary>The whole suppression list.</summary>
    public async Task<IReadOnlyList<(string Address, string Reason, DateTime At)>> GetSuppressedAsync(CancellationToken cancellationToken = default)
    {
        var entries = await _suppressionActor.Ask<AddressSuppressed[]>(SuppressionListActor.List.Instance, AskTimeout, cancellationToken).ConfigureAwait(false);
        return entries.Select(e => (e.Address, e.Reason, e.At)).ToArray();
    }

    /// <summary>
    /// Applies a DSN that came back (e.g. from the bounce mailbox): failed recipients of the message whose ENVID it
    /// names are marked bounced (matched by ORCPT, else Final-Recipient), hard ones are suppressed.
    /// </summary>
    public async Task<DsnApplyResult> ApplyDsnAsync(DeliveryStatusReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.EnvelopeId is null)
        {
            return await SuppressUnmatchedAsync(report, cancellationToken).ConfigureAwait(false);
        }
        // The ENVID is the message id unless the sender chose its own, so try its own partition first, then all.
        var home = _partitions[PartitionOf(report.EnvelopeId)];
        var first = await home.Ask<DsnApplyResult>(new ApplyDsn(report), AskTimeout, cancellationToken).ConfigureAwait(false);
        if (first.Matched)
        {
            return first;
        }
        foreach (var partition in _partitions.Where(p => !p.Equals(home)))
        {
            var result = await partition.Ask<DsnApplyResult>(new ApplyDsn(report), AskTimeout, cancellationToken).ConfigureAwait(false);
            if (result.Matched)
            {
                return result;
            }
        }
        return await SuppressUnmatchedAsync(report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A DSN about a message the outbox no longer knows still tells which addresses are bad.</summary>
    private async Task<DsnApplyResult> SuppressUnmatchedAsync(DeliveryStatusReport report, CancellationToken cancellationToken)
    {
        var suppressed = new List<string>();
        if (_options.SuppressHardBounces && !_options.Passive)
        {
            foreach (var line in report.Recipients.Where(r => r.Action == DsnAction.Failed && BounceClassifier.IsHard(r.Status)))
            {
                await SuppressAsync(line.FinalRecipient, $"hard bounce (DSN): {line.Status} {line.DiagnosticCode}".Trim(), cancellationToken).ConfigureAwait(false);
                suppressed.Add(line.FinalRecipient);
            }
        }
        return new DsnApplyResult(null, [], suppressed);
    }

    private async Task EnqueueDsnAsync(DsnRequest request)
    {
        var now = _options.Clock.GetUtcNow().UtcDateTime;
        bool ReadsExactly(string recipient) => _routes.ReadsExactly(request.Route, recipient);
        var result = (await EnqueueBatchAsync([new OutboxMessage(DsnBuilder.Build(request, _options.DsnReportingMta, now, ReadsExactly))]).ConfigureAwait(false))[0];
        if (result is { Outcome: EnqueueOutcome.Rejected, Rejection: OutboxRejection.TooLarge } && request.Return == DsnReturn.Full)
        {
            // RET=FULL quoted a message too large for the sender's route: the headers alone still tell what failed.
            var headersOnly = DsnBuilder.Build(request with { Return = DsnReturn.Headers }, _options.DsnReportingMta, now, ReadsExactly);
            result = (await EnqueueBatchAsync([new OutboxMessage(headersOnly)]).ConfigureAwait(false))[0];
        }
        if (result is { Outcome: EnqueueOutcome.Rejected, Rejection: OutboxRejection.Unavailable })
        {
            // The DSN's own partition is not running (its id hashes elsewhere): failing the hand-over keeps the DSN
            // pending, and the sweep (or the next start) tries again. Returning here would journal DsnQueued for it.
            throw Refusal(result);
        }
        if (result.Outcome == EnqueueOutcome.Rejected)
        {
            // A DSN that cannot be queued (its recipient address is unusable) is dropped: retrying cannot help.
            _system.Log.Warning("Outbox: the DSN for {0} was rejected: {1}", request.MessageId, result.Error);
        }
    }

    /// <summary>Test hook: makes every partition lose its timers and ready queue, so only the sweep can find the messages.</summary>
    internal Task ForgetSchedulesAsync() =>
        Task.WhenAll(_partitions.Select(p => p.Ask<ForgetSchedules>(ForgetSchedules.Instance, AskTimeout)));

    /// <summary>Test hook: what the memory bound counts as held and reserved now (<see cref="OutboxOptions.MaxUnfinishedBytes"/>).</summary>
    internal long MemoryInUse => _budget.InUse;

    /// <summary>Test hook: each partition's state encoded as its snapshot would be.</summary>
    internal async Task<byte[][]> GetStateBytesAsync() =>
        await Task.WhenAll(_partitions.Select(p => p.Ask<byte[]>(GetStateBytes.Instance, AskTimeout))).ConfigureAwait(false);

    /// <summary>Stops the partitions (unfinished messages stay journaled for the next start) and the delivery engine.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // First: enqueues waiting for room fail now, instead of being let in while the partitions drain and stop.
        _budget.Close();
        // Attempts in flight settle, then each partition snapshots and deletes the events the snapshot covers, so the
        // next start recovers from a compact store. A crash skips all this and loses nothing: it only costs replay time.
        try
        {
            await Task.WhenAll(_partitions.Select(p => p.Ask<ShutdownDone>(new Shutdown(TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(30)))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            _system.Log.Warning("Outbox: a partition did not finish its clean shutdown; the next start replays more events");
        }
        foreach (var partition in _partitions)
        {
            try
            {
                await partition.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
                // stopping anyway
            }
        }
        await _suppressionActor.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _events.CompleteAll();
        // Last: enqueues dead-lettered while the partitions stopped have been answered.
        await _undelivered.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (_mailer is not null)
        {
            await _mailer.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A live event subscription; dispose it to stop receiving.</summary>
public sealed class OutboxSubscription : IDisposable
{
    private readonly Action _unsubscribe;

    internal OutboxSubscription(ChannelReader<OutboxEvent> reader, Action unsubscribe)
    {
        Reader = reader;
        _unsubscribe = unsubscribe;
    }

    /// <summary>The events, in the order each partition journaled them.</summary>
    public ChannelReader<OutboxEvent> Reader { get; }

    /// <summary>Stops the subscription and completes the reader.</summary>
    public void Dispose() => _unsubscribe();
}
