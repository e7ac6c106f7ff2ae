using System.Diagnostics;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Smtp;

namespace MailActors.Delivery;

/// <summary>
/// Owns the SMTP sessions of one route. It opens sessions (one <see cref="SmtpSessionActor"/> per connection) up to the
/// route's limit, and pulls a message from the route's bounded queue only when a session can take it — so callers of
/// <c>Mailer.SendAsync</c> wait while the route is saturated and no mailbox grows without bound. Replies decide each
/// recipient's fate: 2xx delivered, 5xx failed, 4xx/timeouts/lost connections retried with backoff on another session.
/// Repeated connection failures open a circuit; 421 and rate-limit replies lower concurrency and rate for a while.
/// </summary>
public sealed partial class RouteSupervisor : UntypedActor, IWithTimers
{
    private readonly RouteOptions _options;
    private readonly ChannelReader<DeliveryJob> _queue;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly KeyValuePair<string, object?> _routeTag;
    private readonly SmtpSessionSettings _sessionSettings;
    private readonly TokenBucket _messageRate;
    private readonly TokenBucket _connectionRate;
    private readonly Dictionary<IActorRef, Slot> _slots = new();
    private readonly LinkedList<DeliveryJob> _ready = new();
    private readonly HashSet<DeliveryJob> _retrying = []; // held only by their timers otherwise, and lost when the route stops
    private readonly Carryover _pending;
    private bool _restarting; // from PreRestart until its PostStop has run
    private bool _queueCompleted;
    private bool _dispatchScheduled;
    private int _sessionCounter;

    internal RouteSupervisor(RouteOptions options, ChannelReader<DeliveryJob> queue, Carryover pending)
    {
        _options = options;
        _queue = queue;
        _pending = pending;
        _routeTag = new("route", options.Name);
        _sessionSettings = options.Session with { Observer = options.Session.Observer ?? new MetricsSessionObserver(options.Name) };
        _messageRate = new TokenBucket(options.MaxMessageRate, burst: Math.Max(1, (options.MaxMessageRate ?? 1) / 10));
        _connectionRate = new TokenBucket(options.MaxConnectionRate, burst: 1);
        _effectiveMaxSessions = options.MaxSessions;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    internal static Props Props(RouteOptions options, ChannelReader<DeliveryJob> queue) =>
        Akka.Actor.Props.CreateBy(new Producer(options, queue, new Carryover()));

    /// <summary>
    /// What outlives a restart, kept outside the actor's state: the read of the queue under way (its result comes to
    /// the same actor reference, and the new incarnation must neither start a second read beside it, since the queue
    /// has a single reader, nor lose the job it brings), and the messages the old incarnation held but never gave a
    /// session, which the new one adopts as it starts (not as mailbox messages, which a stop queued before them would
    /// send to dead letters).
    /// </summary>
    internal sealed class Carryover
    {
        public Task<DeliveryJob>? Read { get; set; }

        public List<DeliveryJob> Jobs { get; } = [];
    }

    /// <summary>Creates the actor through its internal constructor (the queue's element type is not public).</summary>
    private sealed class Producer(RouteOptions options, ChannelReader<DeliveryJob> queue, Carryover pending) : IIndirectActorProducer
    {
        public Type ActorType => typeof(RouteSupervisor);

        public ActorBase Produce() => new RouteSupervisor(options, queue, pending);

        public void Release(ActorBase actor) { }
    }

    /// <summary>A session that throws is stopped; the supervisor opens a fresh one (with backoff) when work needs it.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Asks for a snapshot of the route. Reply: <see cref="RouteStatus"/>.</summary>
    public sealed record GetStatus
    {
        /// <summary>The single instance.</summary>
        public static GetStatus Instance { get; } = new();
    }

    /// <summary>A snapshot of a route, for monitoring and tests.</summary>
    /// <param name="Route">The route's name.</param>
    /// <param name="Sessions">Sessions open or opening.</param>
    /// <param name="BusySessions">Sessions in a transaction.</param>
    /// <param name="Ready">Messages pulled and waiting for a session.</param>
    /// <param name="Retrying">Messages waiting out a retry delay.</param>
    /// <param name="Circuit">Closed, Open or HalfOpen.</param>
    /// <param name="EffectiveMaxSessions">The session limit now (lower than configured while throttled).</param>
    /// <param name="RateFactor">The share of the configured message rate allowed now.</param>
    /// <param name="SessionsOpened">Sessions opened since the route started.</param>
    public sealed record RouteStatus(string Route, int Sessions, int BusySessions, int Ready, int Retrying, CircuitState Circuit, int EffectiveMaxSessions, double RateFactor, int SessionsOpened);

    private sealed record JobArrived(DeliveryJob Job);
    private sealed record QueueClosed;
    private sealed record DispatchTick;
    private sealed record RetryDue(DeliveryJob Job);
    private sealed record IdleCheck;
    private sealed record CircuitHalfOpen;
    private sealed record ThrottleRecovery;

    /// <inheritdoc />
    protected override void PreStart()
    {
        var idleCheck = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, Math.Min(_options.IdleTimeout.Ticks, _options.NoopAfterIdle.Ticks) / 2));
        Timers.StartPeriodicTimer("idle-check", new IdleCheck(), idleCheck);
        AdoptCarriedJobs();
        Pull();
    }

    private void AdoptCarriedJobs()
    {
        var now = DateTime.UtcNow;
        foreach (var job in _pending.Jobs)
        {
            if (job.NotBefore > now)
            {
                // Still backing off: the old incarnation's timer went with it.
                _retrying.Add(job);
                Timers.StartSingleTimer(job, new RetryDue(job), job.NotBefore - now);
            }
            else
            {
                _ready.AddLast(job);
            }
        }
        _pending.Jobs.Clear();
        if (_ready.Count > 0)
        {
            ScheduleDispatch(TimeSpan.Zero);
        }
    }

    /// <inheritdoc />
    protected override void PreRestart(Exception reason, object message)
    {
        // The route goes on with a new incarnation on the same mailbox and queue: only what this one holds is settled.
        _restarting = true;
        // Never handed to a session, so safe to send: the new incarnation takes them, in order, as it starts.
        _pending.Jobs.AddRange(_ready);
        _pending.Jobs.AddRange(_retrying);
        _ready.Clear();
        _retrying.Clear();
        foreach (var slot in _slots.Values)
        {
            if (slot.State == SlotState.Checking)
            {
                // Only a NOOP went out before reuse: its message never reached the server either.
                _pending.Jobs.AddRange(slot.Jobs);
                slot.Jobs.Clear();
            }
        }
        base.PreRestart(reason, message); // stops the sessions and runs PostStop
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        var sessionJobs = _slots.Values.SelectMany(s => s.Jobs);
        if (_restarting)
        {
            // Run from PreRestart. Should the actor be stopped before the new incarnation exists, PostStop runs once
            // more, and that is the final stop.
            _restarting = false;
            // A session's transaction may have reached the server: sending it again could deliver it twice.
            var restarted = new MailSessionClosedException($"Route {_options.Name} restarted while the message was in a session; the server may or may not have it.");
            foreach (var job in sessionJobs)
            {
                Abort(job, restarted, queued: false);
            }
        }
        else
        {
            var stopped = new MailSessionClosedException($"Route {_options.Name} stopped before the message was sent.");
            foreach (var job in _ready.Concat(_pending.Jobs).Concat(_retrying).Concat(sessionJobs))
            {
                Abort(job, stopped, queued: false);
            }
            _pending.Jobs.Clear();
            while (_queue.TryRead(out var queued))
            {
                Abort(queued, stopped, queued: true);
            }
            _ = AbortLateArrivalsAsync(_pending.Read, stopped);
        }
        MailActorsTelemetry.SessionsOpen.Add(-_slots.Count, _routeTag);
        _slots.Clear(); // counted down once, should PostStop run again
        base.PostStop();
    }

    /// <summary>
    /// Fails what reaches the queue after the route stopped, until the mailer completes it: the job of a read that was
    /// under way (its arrival went to dead letters), and messages from a mailer that was not disposed before its
    /// actor system ended. Without this their callers would wait for ever.
    /// </summary>
    private async Task AbortLateArrivalsAsync(Task<DeliveryJob>? read, Exception stopped)
    {
        try
        {
            if (read is not null)
            {
                Abort(await read.ConfigureAwait(false), stopped, queued: true);
            }
            while (await _queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_queue.TryRead(out var job))
                {
                    Abort(job, stopped, queued: true);
                }
            }
        }
        catch (ChannelClosedException)
        {
            // The read under way ended with the queue: nothing arrived.
        }
    }

    /// <summary>
    /// Gives up a job the stopped route can no longer carry: its caller gets <paramref name="error"/>, and its span,
    /// counters and queue depth are closed as a finished job's would be. Touches no actor state, since it also runs
    /// after the actor has stopped.
    /// </summary>
    private void Abort(DeliveryJob job, Exception error, bool queued)
    {
        if (queued)
        {
            MailActorsTelemetry.QueueDepth.Add(-1, _routeTag);
        }
        if (job.Completion.IsCompleted)
        {
            return;
        }
        foreach (var address in job.AllRecipients)
        {
            // A recipient settled by an earlier attempt keeps its outcome: the server has (or has refused) the message.
            var outcome = job.FinalStatusOf(address) is { } status ? Lower(status) : Aborted;
            MailActorsTelemetry.Recipients.Add(1, _routeTag, new("outcome", outcome));
        }
        MailActorsTelemetry.Messages.Add(1, _routeTag, new("outcome", Aborted));
        if (job.Activity is { } activity)
        {
            activity.SetTag("mailactors.outcome", Aborted);
            activity.SetTag("mailactors.attempts", job.Attempts);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.Dispose();
        }
        // Last, so a caller that sees the failure also sees the span ended and the counts made.
        job.Fail(error);
    }

    /// <summary>The outcome of messages and recipients a stopping route gave up.</summary>
    private const string Aborted = "aborted";

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case JobArrived arrived:
                _pending.Read = null;
                MailActorsTelemetry.QueueDepth.Add(-1, _routeTag);
                _ready.AddLast(arrived.Job);
                Dispatch();
                break;
            case QueueClosed:
                _pending.Read = null;
                _queueCompleted = true;
                break;
            case RetryDue due:
                _retrying.Remove(due.Job);
                _ready.AddFirst(due.Job);
                Dispatch();
                break;
            case DispatchTick:
                _dispatchScheduled = false;
                Dispatch();
                break;
            case IdleCheck:
                RetireIdleSessions();
                break;
            case CircuitHalfOpen:
                EnterHalfOpen();
                break;
            case ThrottleRecovery:
                RecoverFromThrottle();
                break;
            case GetStatus:
                Sender.Tell(Status());
                break;
            case Terminated terminated:
                OnSessionTerminated(terminated.ActorRef);
                break;
            default:
                if (_slots.TryGetValue(Sender, out var slot))
                {
                    OnSessionReply(slot, message);
                }
                else
                {
                    Unhandled(message);
                }
                break;
        }
    }

    private RouteStatus Status() => new(
        _options.Name, _slots.Count, _slots.Values.Count(s => s.State == SlotState.Busy), _ready.Count, _retrying.Count,
        _circuit, _effectiveMaxSessions, _messageRate.Factor, _sessionCounter);

    // ---- pulling work: only as much as sessions can take ----

    private void Pull()
    {
        if (_pending.Read is not null || _queueCompleted)
        {
            return;
        }
        // Each session may take up to a window of messages, so that much is pulled per session: still bounded.
        var capacity = _circuit == CircuitState.Open ? 1 : _effectiveMaxSessions * MaxWindow;
        var committed = JobsInSessions() + _ready.Count;
        if (committed >= capacity)
        {
            return;
        }
        var read = _queue.ReadAsync().AsTask();
        _pending.Read = read;
        read.PipeTo(Self, success: job => new JobArrived(job), failure: _ => new QueueClosed());
    }

    private void Dispatch()
    {
        while (_ready.First is { } node)
        {
            var job = node.Value;
            if (_circuit == CircuitState.Open)
            {
                _ready.RemoveFirst();
                job.DeferRemaining($"route {_options.Name}: circuit open after repeated connection failures");
                Finish(job);
                continue;
            }
            var slot = FreeSlot();
            if (slot is null)
            {
                break;
            }
            if (!_messageRate.TryTake(out var wait))
            {
                ScheduleDispatch(wait);
                break;
            }
            _ready.RemoveFirst();
            Assign(slot, job);
        }
        EnsureSessions();
        Pull();
    }

    private void ScheduleDispatch(TimeSpan wait)
    {
        if (_dispatchScheduled)
        {
            return;
        }
        _dispatchScheduled = true;
        Timers.StartSingleTimer("dispatch", new DispatchTick(), wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait);
    }

    private void ScheduleRetry(DeliveryJob job)
    {
        var exponent = Math.Min(job.Attempts - 1, 16);
        var delay = TimeSpan.FromTicks(Math.Min(_options.RetryMaxDelay.Ticks, _options.RetryBaseDelay.Ticks * (1L << exponent)));
        // Jitter spreads retries of many messages that failed together (a dropped server) over the delay.
        delay = TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + Random.Shared.NextDouble() * 0.5)));
        _retrying.Add(job);
        job.NotBefore = DateTime.UtcNow + delay;
        Timers.StartSingleTimer(job, new RetryDue(job), delay);
    }

    private void Finish(DeliveryJob job)
    {
        var report = job.Complete();
        var delivered = 0;
        foreach (var outcome in report.Recipients)
        {
            MailActorsTelemetry.Recipients.Add(1, _routeTag, new("outcome", Lower(outcome.Status)));
            delivered += outcome.Status == DeliveryStatus.Delivered ? 1 : 0;
        }
        var messageOutcome = delivered == report.Recipients.Count ? "delivered"
            : delivered > 0 ? "partial"
            : report.Recipients.Any(r => r.Status == DeliveryStatus.Deferred) ? "deferred" : "failed";
        MailActorsTelemetry.Messages.Add(1, _routeTag, new("outcome", messageOutcome));
        MailActorsTelemetry.DeliveryDuration.Record(report.Elapsed.TotalSeconds, _routeTag);
        if (delivered > 0 && job.Mail.Content.Length is { } length)
        {
            MailActorsTelemetry.Bytes.Add(length, _routeTag);
        }
        job.Activity?.SetTag("mailactors.outcome", messageOutcome);
        job.Activity?.SetTag("mailactors.attempts", report.Attempts);
        job.Activity?.Dispose();
    }

    private static string Lower(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Delivered => "delivered",
        DeliveryStatus.Deferred => "deferred",
        _ => "failed",
    };
}
