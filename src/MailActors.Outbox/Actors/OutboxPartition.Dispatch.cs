using Akka.Actor;
using Akka.Event;
using MailActors.Delivery;
using MailActors.Outbox.Dsn;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using static MailActors.Outbox.Actors.PartitionProtocol;

namespace MailActors.Outbox.Actors;

// Runtime scheduling: the ready queue, retry timers, the in-flight window, outcomes, the stuck-message sweep and DSN feedback.
internal sealed partial class OutboxPartition
{
    private sealed record InFlightEntry(long Token, int Attempt, DateTime StartedAt);

    private readonly Queue<string> _ready = new();
    private readonly HashSet<string> _readySet = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTime> _schedule = new();
    private readonly Dictionary<string, DateTime> _scheduledAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InFlightEntry> _inFlight = new(StringComparer.Ordinal);
    private readonly Random _random = new();
    private DateTime? _dueArmedFor;
    private long _tokens;

    /// <summary>Puts an unfinished message where it belongs: ready now, or scheduled for its earliest next attempt.</summary>
    private void Reschedule(MessageRecord record)
    {
        if (_inFlight.ContainsKey(record.Id) || _readySet.Contains(record.Id) || _awaitingContent.Contains(record.Id))
        {
            return;
        }
        if (EarliestDue(record) is not { } due)
        {
            return;
        }
        var now = Now;
        if (due <= now)
        {
            MakeReady(record.Id);
        }
        else
        {
            _scheduledAt[record.Id] = due;
            _schedule.Enqueue(record.Id, due);
            EvictIfDeferredLong(record, due, now);
        }
    }

    /// <summary>When the message's next attempt is due: its earliest pending recipient's, at once for one not deferred; null if none is pending.</summary>
    private static DateTime? EarliestDue(MessageRecord record)
    {
        DateTime? due = null;
        foreach (var recipient in record.Recipients)
        {
            if (!recipient.IsPending)
            {
                continue;
            }
            var at = recipient.State == RecipientState.Deferred && recipient.NextAttemptAt is { } next ? next : DateTime.MinValue;
            due = due is null || at < due ? at : due;
        }
        return due;
    }

    private void MakeReady(string id)
    {
        if (_readySet.Add(id))
        {
            _scheduledAt.Remove(id);
            _ready.Enqueue(id);
        }
    }

    private void Dispatch()
    {
        if (_options.Passive || _context.Mailer is null || _draining || _loadingContents)
        {
            return;
        }
        var now = Now;
        while (_schedule.TryPeek(out var id, out var at) && at <= now)
        {
            _schedule.Dequeue();
            if (_scheduledAt.TryGetValue(id, out var current) && current == at)
            {
                MakeReady(id);
            }
        }
        while (_inFlight.Count + _awaitingContent.Count < _context.InFlightWindow && _ready.TryDequeue(out var next))
        {
            _readySet.Remove(next);
            if (!_state.Unfinished.TryGetValue(next, out var record) || _inFlight.ContainsKey(next))
            {
                continue;
            }
            if (record.Content.IsLoaded)
            {
                Start(record, now);
            }
            else if (_awaitingContent.Add(next))
            {
                _contentWanted.Add(next); // evicted during a long deferral: dispatched again once read back
            }
        }
        LoadWantedContents();
        ArmDueTimer(now);
    }

    private void ArmDueTimer(DateTime now)
    {
        while (_schedule.TryPeek(out var id, out var at) && (!_scheduledAt.TryGetValue(id, out var current) || current != at))
        {
            _schedule.Dequeue(); // superseded entry
        }
        if (!_schedule.TryPeek(out _, out var earliest) || _dueArmedFor == earliest)
        {
            return;
        }
        _dueArmedFor = earliest;
        var delay = earliest - now;
        // Akka's scheduler adds the delay to its own clock, which a far deadline (an infinite retry delay) overflows into
        // the past: wake up at most a day ahead and arm again then.
        delay = delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay > MaxTimerDelay ? MaxTimerDelay : delay;
        Timers.StartSingleTimer("due", Due.Instance, delay);
    }

    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);

    private RetryPolicy PolicyFor(MessageRecord record, string recipient) =>
        _options.ForRoute(_context.Routes.RouteOf(record.Envelope.Route, recipient)).Retry.With(record.Retry);

    private void Start(MessageRecord record, DateTime now)
    {
        var events = new List<IOutboxPersisted>();
        var send = new List<string>();
        foreach (var recipient in record.Recipients)
        {
            if (!recipient.IsPending)
            {
                continue;
            }
            if (!_context.Suppression.IsEmpty
                && _context.Suppression.TryGetReason(recipient.Address, _context.Routes.ReadsExactly(record.Envelope.Route, recipient.Address), out var reason))
            {
                events.Add(new RecipientSuppressed(record.Id, recipient.Address, reason, now));
            }
            else if (ExpiresBeforeAttempt(record, recipient, now))
            {
                events.Add(new RecipientExpired(record.Id, recipient.Address, recipient.LastReply, recipient.LastError ?? "not delivered within the maximum age", now));
            }
            else
            {
                send.Add(recipient.Address);
            }
        }
        var token = ++_tokens;
        if (send.Count == 0)
        {
            // Nothing to send: hold the message until its outcome events are journaled, so nobody dispatches it meanwhile.
            _inFlight[record.Id] = new InFlightEntry(token, 0, now);
            Write(events, () => Settled(record.Id, token));
            return;
        }
        var attempt = record.Recipients.Where(r => send.Contains(r.Address)).Max(r => r.Attempts) + 1;
        events.Add(new DeliveryAttempted(record.Id, send, attempt, now));
        _inFlight[record.Id] = new InFlightEntry(token, attempt, now);
        // The attempt is journaled alongside, not before, the send: if the process dies first, the message is simply
        // sent again after the restart, which at-least-once allows.
        Write(events, null);
        var id = record.Id;
        _context.Mailer!.SendAsync(BuildMail(record, send, _context.Routes)).PipeTo(
            Self,
            success: report => new SendCompleted(id, token, attempt, send, report, null),
            failure: error => new SendCompleted(id, token, attempt, send, null, error));
    }

    private static OutgoingMail BuildMail(MessageRecord record, IReadOnlyList<string> recipients, RouteResolver routes)
    {
        var envelope = record.Envelope;
        var parameters = envelope.Parameters;
        var wantsDsn = parameters?.Return is not null || recipients.Any(r => envelope.RecipientParametersFor(r) is { Notify: not DsnNotify.None });
        if (wantsDsn)
        {
            // ENVID and per-recipient ORCPT let a DSN that comes back later be matched to this message and recipient.
            parameters = (parameters ?? new MailParameters()) with { EnvelopeId = parameters?.EnvelopeId ?? record.Id };
        }
        Dictionary<string, RecipientParameters>? perRecipient = null;
        if (wantsDsn || envelope.HasPerRecipientParameters)
        {
            foreach (var recipient in recipients)
            {
                var own = envelope.RecipientParametersFor(recipient);
                if (wantsDsn && own is { OriginalRecipient: null, OriginalRecipientRaw: null })
                {
                    // The mailbox as the recipient's route reads it: a DSN that names it is about this recipient.
                    own = own with { OriginalRecipient = SuppressionSet.Normalize(recipient, routes.ReadsExactly(envelope.Route, recipient)) };
                }
                if (own is not null)
                {
                    (perRecipient ??= new Dictionary<string, RecipientParameters>(StringComparer.OrdinalIgnoreCase))[recipient] = own;
                }
            }
        }
        return new OutgoingMail(envelope.Sender, recipients, MessageContent.FromBytes(record.Content.Bytes))
        {
            MessageId = record.Id,
            Route = envelope.Route,
            Parameters = parameters,
            RecipientParameters = envelope.RecipientParameters,
            PerRecipientParameters = perRecipient,
        };
    }

    private void OnSendCompleted(SendCompleted completed)
    {
        if (!_inFlight.TryGetValue(completed.MessageId, out var flight) || flight.Token != completed.Token)
        {
            return; // a late answer to an attempt the sweep already gave up on
        }
        if (!_state.Unfinished.TryGetValue(completed.MessageId, out var record))
        {
            _inFlight.Remove(completed.MessageId);
            return;
        }
        var now = Now;
        var events = new List<IOutboxPersisted>();
        if (completed.Report is { } report)
        {
            foreach (var outcome in report.Recipients)
            {
                switch (outcome.Status)
                {
                    case DeliveryStatus.Delivered:
                        events.Add(new RecipientDelivered(record.Id, outcome.Address, outcome.Reply, now));
                        break;
                    case DeliveryStatus.Failed:
                        events.Add(new RecipientBounced(record.Id, outcome.Address, outcome.Reply, outcome.Reply is null ? outcome.Error : null,
                            BounceClassifier.IsHard(outcome.Reply), BounceSource.Smtp, now));
                        break;
                    default:
                        events.Add(DeferOrExpire(record, outcome.Address, completed.Attempt, outcome.Reply, outcome.Error, now));
                        break;
                }
            }
        }
        else
        {
            var error = completed.Error?.GetBaseException().Message ?? "the delivery engine gave no report";
            foreach (var address in completed.Recipients)
            {
                events.Add(DeferOrExpire(record, address, completed.Attempt, null, error, now));
            }
        }
        Write(events, () => Settled(record.Id, completed.Token));
    }

    /// <summary>
    /// A recipient past its max-age is expired without an attempt, except the one whose last retry was brought forward
    /// to that age (<see cref="DeferOrExpire"/>): it gets that attempt, even if it comes late, and expires if it fails.
    /// </summary>
    private bool ExpiresBeforeAttempt(MessageRecord record, RecipientRecord recipient, DateTime now)
    {
        var deadline = PolicyFor(record, recipient.Address).DeadlineFor(record.AcceptedAt);
        return now >= deadline && !(recipient.State == RecipientState.Deferred && recipient.NextAttemptAt >= deadline);
    }

    /// <summary>
    /// A failed attempt before the recipient's max-age is retried, at the latest when that age is reached (so the
    /// recipient is tried until it expires, as documented, rather than expiring when its next backoff would overshoot);
    /// one at or after it expires the recipient.
    /// </summary>
    private IOutboxPersisted DeferOrExpire(MessageRecord record, string address, int attempt, SmtpReply? reply, string? error, DateTime now)
    {
        var policy = PolicyFor(record, address);
        var deadline = policy.DeadlineFor(record.AcceptedAt);
        if (now >= deadline)
        {
            return new RecipientExpired(record.Id, address, reply, error ?? "not delivered within the maximum age", now);
        }
        var next = RetryPolicy.Later(now, policy.DelayBefore(attempt, _random));
        return new RecipientDeferred(record.Id, address, reply, error, attempt, next < deadline ? next : deadline, now);
    }

    /// <summary>The attempt's outcome is journaled: the message leaves the in-flight window and, if unfinished, is scheduled again.</summary>
    private void Settled(string id, long token)
    {
        if (_inFlight.TryGetValue(id, out var flight) && flight.Token == token)
        {
            _inFlight.Remove(id);
        }
        if (_state.Unfinished.TryGetValue(id, out var record))
        {
            Reschedule(record);
        }
        ContinueShutdown();
    }

    private void OnSweep()
    {
        var now = Now;
        var redriven = 0;
        foreach (var id in _awaitingContent.Where(id => !_contentWanted.Contains(id) && _loaderWanted?.Contains(id) != true).ToList())
        {
            // Waiting for a read nobody will do: a safety net, as every path that drops a wanted content releases it.
            _log.Warning("Outbox partition {0}: message {1} waited for its content with no read under way; dispatching it again", _context.Index, id);
            _awaitingContent.Remove(id);
            MakeReady(id);
            redriven++;
        }
        foreach (var record in _state.Unfinished.Values)
        {
            if (_inFlight.TryGetValue(record.Id, out var flight))
            {
                if (now - flight.StartedAt > _options.InFlightTimeout) // a difference: no sum to overflow for an infinite timeout
                {
                    _log.Warning("Outbox partition {0}: message {1} had no outcome after {2}; sending it again", _context.Index, record.Id, now - flight.StartedAt);
                    _inFlight.Remove(record.Id);
                    MakeReady(record.Id);
                    redriven++;
                }
                continue;
            }
            if (_readySet.Contains(record.Id) || _awaitingContent.Contains(record.Id))
            {
                continue;
            }
            if (_scheduledAt.TryGetValue(record.Id, out var scheduled) && now - scheduled < _options.SweepGrace)
            {
                continue; // its timer is still ahead (or only just due)
            }
            var overdue = record.Recipients.Any(r => r.IsPending && now - (r.NextAttemptAt ?? r.UpdatedAt) >= _options.SweepGrace);
            var expired = record.Recipients.Any(r => r.IsPending && now >= PolicyFor(record, r.Address).DeadlineFor(record.AcceptedAt));
            if (overdue || expired)
            {
                MakeReady(record.Id);
                redriven++;
            }
        }
        if (redriven > 0)
        {
            _log.Warning("Outbox partition {0}: the sweep re-drove {1} overdue message(s)", _context.Index, redriven);
        }
        if (_state.DsnPending.Count > 0)
        {
            SendPendingDsns();
        }
        Dispatch();
    }

    private void OnApplyDsn(ApplyDsn apply)
    {
        var report = apply.Report;
        var status = report.EnvelopeId is { } envid ? _state.Find(envid) : null;
        var replyTo = Sender;
        if (status is null || _options.Passive)
        {
            replyTo.Tell(new DsnApplyResult(null, [], []));
            return;
        }
        var now = Now;
        var events = new List<IOutboxPersisted>();
        var suppressed = new List<string>();
        foreach (var line in report.Recipients.Where(r => r.Action == DsnAction.Failed))
        {
            var target = (line.OriginalRecipient is { } original ? status.Recipient(original) : null) ?? status.Recipient(line.FinalRecipient);
            if (target is null || target.State is RecipientState.Bounced or RecipientState.Expired or RecipientState.Suppressed)
            {
                continue;
            }
            var hard = BounceClassifier.IsHard(line.Status);
            var reply = DiagnosticReply(line);
            events.Add(new RecipientBounced(status.MessageId, target.Address, reply, reply is null ? $"DSN: {line.Status} {line.DiagnosticCode}".Trim() : null, hard, BounceSource.Dsn, now));
            if (hard && _options.SuppressHardBounces)
            {
                suppressed.Add(target.Address);
            }
        }
        var bounced = events.Cast<RecipientBounced>().Select(e => e.Recipient).ToArray();
        Write(events, () => replyTo.Tell(new DsnApplyResult(status.MessageId, bounced, suppressed)));
    }

    /// <summary>The remote server's reply from <c>Diagnostic-Code: smtp; 550 5.1.1 ...</c>, when it is one.</summary>
    private static SmtpReply? DiagnosticReply(DsnRecipientReport line)
    {
        if (line.DiagnosticCode is not { } diagnostic)
        {
            return null;
        }
        var semicolon = diagnostic.IndexOf(';', StringComparison.Ordinal);
        if (semicolon < 0 || !diagnostic[..semicolon].Trim().Equals("smtp", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var text = diagnostic[(semicolon + 1)..].Trim();
        if (text.Length < 3 || !int.TryParse(text.AsSpan(0, 3), out var code) || code is < 200 or > 599)
        {
            return null;
        }
        var rest = text.Length > 3 ? text[3..].TrimStart(' ', '-') : "";
        return new SmtpReply(code, [string.Join(' ', rest.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))]);
    }
}
