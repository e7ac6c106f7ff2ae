using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;

namespace MailActors.Delivery;

/// <summary>The state of a route's circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Connections are opened as work needs them.</summary>
    Closed,
    /// <summary>Repeated connection failures: no connections; messages are reported deferred at once.</summary>
    Open,
    /// <summary>One trial connection is allowed; its success closes the circuit, its failure opens it again.</summary>
    HalfOpen,
}

// The session pool: opening with backoff, reuse, NOOP before reuse after a long idle, retirement, the circuit breaker
// and adaptive throttling.
public sealed partial class RouteSupervisor
{
    private enum SlotState { Connecting, Idle, Checking, Busy, Closing }

    private sealed class Slot(IActorRef actor)
    {
        public IActorRef Actor { get; } = actor;
        public SlotState State { get; set; } = SlotState.Connecting;
        public int Sent { get; set; }
        public DateTime LastUsed { get; set; } = DateTime.UtcNow;

        /// <summary>Messages handed to the session and not answered yet, oldest first (the session answers in order).</summary>
        public Queue<DeliveryJob> Jobs { get; } = new(MaxWindow);

        /// <summary>How many messages the session may have at once: <see cref="MaxWindow"/> when the server pipelines.</summary>
        public int Window { get; set; } = 1;

        /// <summary>Takes no more messages; retires (QUIT) once the ones it has are answered.</summary>
        public bool Retiring { get; set; }
    }

    /// <summary>
    /// Messages a pipelining session may hold at once: the one being served, the one whose envelope rides in its
    /// content's write (RFC 2920 3.1), and one more that must already be in the session when that one's content goes
    /// out (see <c>SmtpSessionActor.MaxSuccessors</c>).
    /// </summary>
    private const int MaxWindow = 3;

    /// <summary>
    /// A busy session that can take one more message now. Not one busy with a large or streamed message: whatever
    /// joined it would wait for that whole transfer while another session might be free sooner.
    /// </summary>
    private bool HasRoom(Slot slot)
    {
        if (slot.State != SlotState.Busy || slot.Retiring || slot.Jobs.Count >= slot.Window
            || slot.Sent + slot.Jobs.Count >= _options.MaxMessagesPerSession)
        {
            return false;
        }
        foreach (var job in slot.Jobs)
        {
            if (!SmtpSessionActor.FitsOneWrite(job.Mail.Content))
            {
                return false;
            }
        }
        return true;
    }

    // The pool is walked with plain loops rather than LINQ: these run for every message dispatched.

    /// <summary>The session the next message should go to: an idle one first (spreads the load), else a busy one with room.</summary>
    private Slot? FreeSlot()
    {
        Slot? withRoom = null;
        foreach (var slot in _slots.Values)
        {
            if (slot.State == SlotState.Idle)
            {
                return slot;
            }
            if (withRoom is null && HasRoom(slot))
            {
                withRoom = slot;
            }
        }
        return withRoom;
    }

    /// <summary>Messages handed to sessions and not answered yet.</summary>
    private int JobsInSessions()
    {
        var count = 0;
        foreach (var slot in _slots.Values)
        {
            count += slot.Jobs.Count;
        }
        return count;
    }

    private CircuitState _circuit = CircuitState.Closed;
    private int _consecutiveConnectFailures;
    private DateTime _reconnectNotBefore = DateTime.MinValue;
    private int _effectiveMaxSessions;
    private DateTime _throttledUntil = DateTime.MinValue;

    /// <summary>Sessions open or opening, not counting those saying goodbye.</summary>
    private int ActiveSessions
    {
        get
        {
            var count = 0;
            foreach (var slot in _slots.Values)
            {
                count += slot.State == SlotState.Closing ? 0 : 1;
            }
            return count;
        }
    }

    private void EnsureSessions()
    {
        var needed = _ready.Count + JobsInSessions();
        var wanted = Math.Min(_effectiveMaxSessions, needed);
        var open = ActiveSessions;
        while (open < wanted)
        {
            if (_circuit == CircuitState.Open || (_circuit == CircuitState.HalfOpen && _slots.Values.Any(s => s.State == SlotState.Connecting)))
            {
                return;
            }
            var now = DateTime.UtcNow;
            if (now < _reconnectNotBefore)
            {
                ScheduleDispatch(_reconnectNotBefore - now);
                return;
            }
            if (!_connectionRate.TryTake(out var wait))
            {
                ScheduleDispatch(wait);
                return;
            }
            OpenSession();
            open++;
        }
    }

    private void OpenSession()
    {
        var name = $"session-{++_sessionCounter}";
        var actor = Context.ActorOf(SmtpSessionActor.Props(_sessionSettings), name);
        Context.Watch(actor);
        _slots[actor] = new Slot(actor);
        MailActorsTelemetry.SessionsOpen.Add(1, _routeTag);
        actor.Tell(SmtpSession.Connect.Instance, Self);
    }

    private void Assign(Slot slot, DeliveryJob job)
    {
        slot.Jobs.Enqueue(job);
        if (slot.State == SlotState.Busy)
        {
            SendTransaction(slot, job); // joins the session's window: it is in use, no NOOP needed
            return;
        }
        if (slot.Sent > 0 && DateTime.UtcNow - slot.LastUsed > _options.NoopAfterIdle)
        {
            // A connection idle for long may have been dropped by the server or a middlebox: check before trusting it.
            slot.State = SlotState.Checking;
            slot.Actor.Tell(SmtpSession.Noop.Instance, Self);
            return;
        }
        SendTransaction(slot, job);
    }

    private void SendTransaction(Slot slot, DeliveryJob job)
    {
        slot.State = SlotState.Busy;
        job.BeginAttempt();
        var mail = job.Mail;
        var recipients = new SmtpSession.TransactionRecipient[job.Pending.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = new SmtpSession.TransactionRecipient(job.Pending[i], mail.RecipientParametersFor(job.Pending[i]));
        }
        slot.Actor.Tell(new SmtpSession.Transaction(mail.Sender, recipients, mail.Content, mail.Parameters), Self);
    }

    private void OnSessionReply(Slot slot, object message)
    {
        switch (slot.State, message)
        {
            case (SlotState.Connecting, SmtpSession.Connected connected):
                slot.State = SlotState.Idle;
                slot.LastUsed = DateTime.UtcNow;
                var settings = _sessionSettings;
                slot.Window = settings.UsePipelining && !settings.PreferChunking && connected.Capabilities.Pipelining ? MaxWindow : 1;
                _consecutiveConnectFailures = 0;
                _reconnectNotBefore = DateTime.MinValue;
                if (_circuit == CircuitState.HalfOpen)
                {
                    _log.Info("Route {0}: circuit closed, trial connection succeeded", _options.Name);
                    _circuit = CircuitState.Closed;
                }
                Dispatch();
                break;
            case (SlotState.Connecting, Status.Failure failure):
                RemoveSlot(slot);
                OnConnectFailed(failure.Cause);
                break;
            case (SlotState.Checking, SmtpReply { IsPositiveCompletion: true }):
                SendTransaction(slot, slot.Jobs.Peek());
                break;
            case (SlotState.Checking, _):
                // The NOOP found a dead or unwilling session: give the message to another one, without counting an attempt.
                var job = slot.Jobs.Dequeue();
                RemoveSlot(slot);
                _ready.AddFirst(job);
                Dispatch();
                break;
            case (SlotState.Busy, SmtpSession.TransactionResult result):
                OnTransactionResult(slot, result);
                break;
            case (SlotState.Busy, Status.Failure failure):
                OnTransactionFailed(slot, failure.Cause);
                break;
            case (SlotState.Closing, _):
                RemoveSlot(slot);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnTransactionResult(Slot slot, SmtpSession.TransactionResult result)
    {
        var job = slot.Jobs.Dequeue();
        slot.Sent++;
        slot.LastUsed = DateTime.UtcNow;
        var throttle = false;
        var sessionClosed = false;

        void Transient(string address, SmtpReply reply)
        {
            job.Defer(address, reply, null);
            throttle |= ReplyClassifier.IsThrottleSignal(reply);
            sessionClosed |= reply.Code == 421;
        }

        void Decide(string address, SmtpReply reply)
        {
            switch (ReplyClassifier.Classify(reply))
            {
                case DeliveryStatus.Delivered:
                    job.Settle(address, DeliveryStatus.Delivered, reply);
                    break;
                case DeliveryStatus.Failed:
                    job.Settle(address, DeliveryStatus.Failed, reply);
                    break;
                default:
                    Transient(address, reply);
                    break;
            }
        }

        if (!result.MailReply.IsPositiveCompletion)
        {
            foreach (var address in job.Pending)
            {
                Decide(address, result.MailReply);
            }
        }
        else
        {
            foreach (var recipient in result.Recipients)
            {
                if (!recipient.Accepted)
                {
                    Decide(recipient.Address, recipient.Reply);
                }
                else if (result.DataReply is { } data)
                {
                    Decide(recipient.Address, data);
                }
                else
                {
                    job.Defer(recipient.Address, null, "the content was not sent");
                }
            }
        }
        Continue(job);
        if (throttle)
        {
            Throttle();
        }
        slot.Retiring |= sessionClosed || slot.Sent >= _options.MaxMessagesPerSession || ActiveSessions > _effectiveMaxSessions;
        // With messages still in the session's window, it answers them in order (after a 421: a 421 result or a
        // failure for each) and the slot stays busy until then.
        if (slot.Jobs.Count == 0)
        {
            if (slot.Retiring)
            {
                Retire(slot);
            }
            else
            {
                slot.State = SlotState.Idle;
            }
        }
        Dispatch();
    }

    private void OnTransactionFailed(Slot slot, Exception cause)
    {
        var job = slot.Jobs.Dequeue();
        if (cause is MailNotSupportedException or MailArgumentException or ArgumentException)
        {
            // Refused before anything was written (too big, needs an extension, bad address): retrying cannot help.
            foreach (var address in job.Pending)
            {
                job.Settle(address, DeliveryStatus.Failed, null, cause.Message);
            }
            if (slot.Jobs.Count == 0)
            {
                if (slot.Retiring)
                {
                    Retire(slot);
                }
                else
                {
                    slot.State = SlotState.Idle;
                }
            }
            Continue(job);
            Dispatch();
            return;
        }
        // The session died mid-transaction (timeout, lost connection, protocol error): try again elsewhere. If the
        // server had already accepted the content, this is where an at-least-once duplicate can come from. The
        // session is let go without waiting for the messages behind it in its window: their content is only written
        // after the reply to the one in front, so none of it reached the server. They go back to the front of the
        // queue without using an attempt or waiting for a backoff.
        var failed = new List<DeliveryJob> { job };
        var unsent = new List<DeliveryJob>();
        while (slot.Jobs.TryDequeue(out var behind))
        {
            (behind.TryReturnUnsent() ? unsent : failed).Add(behind);
        }
        RemoveSlot(slot);
        for (var i = unsent.Count - 1; i >= 0; i--)
        {
            _ready.AddFirst(unsent[i]);
        }
        foreach (var each in failed)
        {
            foreach (var address in each.Pending)
            {
                each.Defer(address, null, cause.Message);
            }
            Continue(each);
        }
        Dispatch();
    }

    private void Continue(DeliveryJob job)
    {
        if (job.Prune())
        {
            Finish(job);
        }
        else if (job.Attempts >= _options.MaxAttempts)
        {
            job.DeferRemaining("attempts used up");
            Finish(job);
        }
        else
        {
            ScheduleRetry(job);
        }
    }

    private void OnSessionTerminated(IActorRef actor)
    {
        if (!_slots.TryGetValue(actor, out var slot))
        {
            return;
        }
        // Stopped without answering (it threw): treat like a lost connection.
        if (slot.Jobs.Count > 0)
        {
            OnTransactionFailed(slot, new MailSessionClosedException("the session actor stopped"));
            return;
        }
        RemoveSlot(slot);
        if (slot.State == SlotState.Connecting)
        {
            OnConnectFailed(new MailConnectException("the session actor stopped while connecting"));
        }
        Dispatch();
    }

    private void OnConnectFailed(Exception cause)
    {
        _consecutiveConnectFailures++;
        var exponent = Math.Min(_consecutiveConnectFailures - 1, 16);
        var delay = TimeSpan.FromTicks(Math.Min(_options.ReconnectMaxDelay.Ticks, _options.ReconnectBaseDelay.Ticks * (1L << exponent)));
        _reconnectNotBefore = DateTime.UtcNow + delay;
        _log.Warning("Route {0}: connect failed ({1} in a row), next try in {2}: {3}", _options.Name, _consecutiveConnectFailures, delay, cause.Message);
        if (_circuit == CircuitState.HalfOpen || (_circuit == CircuitState.Closed && _consecutiveConnectFailures >= _options.CircuitFailureThreshold))
        {
            _circuit = CircuitState.Open;
            _log.Warning("Route {0}: circuit open for {1}", _options.Name, _options.CircuitOpenDuration);
            Timers.StartSingleTimer("circuit", new CircuitHalfOpen(), _options.CircuitOpenDuration);
        }
        Dispatch();
    }

    private void EnterHalfOpen()
    {
        _circuit = CircuitState.HalfOpen;
        _reconnectNotBefore = DateTime.MinValue;
        Dispatch();
    }

    private void Retire(Slot slot)
    {
        slot.State = SlotState.Closing;
        slot.Actor.Tell(SmtpSession.Quit.Instance, Self);
    }

    private void RemoveSlot(Slot slot)
    {
        if (_slots.Remove(slot.Actor))
        {
            MailActorsTelemetry.SessionsOpen.Add(-1, _routeTag);
            Context.Unwatch(slot.Actor);
            Context.Stop(slot.Actor);
        }
    }

    private void RetireIdleSessions()
    {
        var now = DateTime.UtcNow;
        var idle = _slots.Values.Where(s => s.State == SlotState.Idle).ToList();
        var excess = ActiveSessions - _effectiveMaxSessions;
        foreach (var slot in idle)
        {
            if (now - slot.LastUsed >= _options.IdleTimeout || excess-- > 0)
            {
                Retire(slot);
            }
        }
    }

    // ---- adaptive throttling ----

    private void Throttle()
    {
        var wasThrottled = DateTime.UtcNow < _throttledUntil;
        _throttledUntil = DateTime.UtcNow + _options.ThrottleDuration;
        if (!wasThrottled)
        {
            _effectiveMaxSessions = Math.Max(1, _effectiveMaxSessions / 2);
            _messageRate.Factor = Math.Max(0.05, _messageRate.Factor / 2);
            MailActorsTelemetry.Throttles.Add(1, _routeTag);
            _log.Warning("Route {0}: throttled to {1} sessions and {2:P0} of the message rate", _options.Name, _effectiveMaxSessions, _messageRate.Factor);
        }
        Timers.StartPeriodicTimer("throttle-recovery", new ThrottleRecovery(), _options.ThrottleRecoveryInterval);
    }

    private void RecoverFromThrottle()
    {
        if (DateTime.UtcNow < _throttledUntil)
        {
            return;
        }
        _effectiveMaxSessions = Math.Min(_options.MaxSessions, _effectiveMaxSessions + 1);
        _messageRate.Factor = Math.Min(1.0, _messageRate.Factor + 0.25);
        if (_effectiveMaxSessions == _options.MaxSessions && _messageRate.Factor >= 1.0)
        {
            Timers.Cancel("throttle-recovery");
        }
        Dispatch();
    }
}
