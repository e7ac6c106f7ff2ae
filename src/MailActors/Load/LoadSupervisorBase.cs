using System.Diagnostics;
using Akka.Actor;

namespace MailActors.Load;

/// <summary>
/// What the SMTP and POP3 load supervisors share: the run's clock, the one-second tick into the recorder, the bound
/// (a deadline timer), connect pacing, stopping (no new work, then a drain time before sessions are cut off), and
/// completing the run with its report — also when the actor is stopped from outside.
/// </summary>
internal abstract class LoadSupervisorBase : UntypedActor, IWithTimers
{
    /// <summary>Ends the run early (Ctrl-C): no new work; sessions finish what they have and QUIT.</summary>
    /// <param name="Drain">How long they may take before they are cut off, when shorter than the run's drain time.</param>
    internal sealed record StopRun(TimeSpan? Drain);

    private sealed record Tick;
    private sealed record Deadline;
    private sealed record DrainExpired;
    private sealed record Pace
    {
        public static Pace Instance { get; } = new();
    }

    private readonly TaskCompletionSource<LoadReport> _completion;
    private readonly LoadReportHeader _header;
    private readonly double? _connectRate;
    private readonly TimeSpan _drainTimeout;
    private readonly CancellationTokenSource _pacerStop = new();
    private long _connectsIssued;
    private string? _abortReason;
    private LoadAbortKind? _abortKind;
    private long _drainEnds;

    private protected LoadSupervisorBase(LoadRecorder recorder, LoadReportHeader header, TaskCompletionSource<LoadReport> completion, double? connectRate, TimeSpan drainTimeout)
    {
        Recorder = recorder;
        _header = header;
        _completion = completion;
        _connectRate = connectRate;
        _drainTimeout = drainTimeout;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private protected LoadRecorder Recorder { get; }

    /// <summary>Stopwatch timestamp of the start of the run.</summary>
    private protected long StartTimestamp { get; private set; }

    /// <summary>The bound was reached or the run was stopped: no new work is handed out.</summary>
    private protected bool Stopping { get; private set; }

    /// <summary>Connections started so far.</summary>
    private protected long ConnectsIssued => _connectsIssued;

    /// <summary>Starts the clock, the tick, the deadline and (when <paramref name="pace"/>) the millisecond pacer.</summary>
    private protected void StartRun(TimeSpan? deadline, bool pace)
    {
        Recorder.Start();
        StartTimestamp = Recorder.StartTimestamp;
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(1));
        if (deadline is { } due)
        {
            Timers.StartSingleTimer("deadline", new Deadline(), due);
        }
        if (pace || _connectRate is not null)
        {
            Pacer.Start(Self, Pace.Instance, _pacerStop.Token);
        }
    }

    /// <summary>Whether the connect rate allows another connection now; counts it when it does.</summary>
    private protected bool TryTakeConnect()
    {
        if (_connectRate is { } rate && _connectsIssued >= (long)(Stopwatch.GetElapsedTime(StartTimestamp).TotalSeconds * rate) + 1)
        {
            return false;
        }
        _connectsIssued++;
        return true;
    }

    protected sealed override void OnReceive(object message)
    {
        switch (message)
        {
            case Pace:
                if (!Stopping)
                {
                    OnPace();
                }
                break;
            case Tick:
                OnTick();
                break;
            case Deadline:
                OnDeadline();
                break;
            case StopRun stop:
                BeginStopping(LoadAbortKind.Stopped, "stopped", stop.Drain);
                break;
            case DrainExpired:
                CutOff();
                break;
            default:
                OnSessionMessage(message);
                break;
        }
    }

    /// <summary>Everything that is not the supervisor's own timing: replies from sessions, reconnect timers.</summary>
    private protected abstract void OnSessionMessage(object message);

    /// <summary>Every millisecond while pacing: start due connections (and, in an open loop, due messages).</summary>
    private protected abstract void OnPace();

    /// <summary>Every second: close the timeline interval.</summary>
    private protected virtual void OnTick() => Recorder.Tick();

    /// <summary>The bound in time was reached.</summary>
    private protected virtual void OnDeadline() => BeginStopping();

    /// <summary>The bound was reached: stops handing out work, as <see cref="BeginStopping(LoadAbortKind, string, TimeSpan?)"/> does.</summary>
    private protected void BeginStopping() => StartStopping(null, null, null);

    /// <summary>Stops handing out work, the run ending early for <paramref name="reason"/>; <see cref="OnStopping"/>
    /// winds the sessions down; <see cref="CutOff"/> follows after the drain time (or <paramref name="drain"/> when shorter).</summary>
    private protected void BeginStopping(LoadAbortKind kind, string reason, TimeSpan? drain = null) => StartStopping(kind, reason, drain);

    private void StartStopping(LoadAbortKind? kind, string? reason, TimeSpan? drain)
    {
        var timeout = drain is { } asked && asked < _drainTimeout ? asked : _drainTimeout;
        var drainEnds = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        if (Stopping)
        {
            // The run already ended its own way, which stays its reason; a stop while it drains (Ctrl-C after the bound)
            // may still shorten the drain, as whoever stops the run is waiting for the report.
            if (drainEnds < _drainEnds)
            {
                _drainEnds = drainEnds;
                Timers.StartSingleTimer("drain", new DrainExpired(), timeout);
            }
            return;
        }
        Stopping = true;
        _abortReason = reason;
        _abortKind = kind;
        _pacerStop.Cancel();
        _drainEnds = drainEnds;
        Timers.StartSingleTimer("drain", new DrainExpired(), timeout);
        OnStopping();
    }

    /// <summary>Retire idle slots, QUIT idle sessions; busy ones QUIT when they finish.</summary>
    private protected abstract void OnStopping();

    /// <summary>The drain time ran out: cut every remaining session off, then <see cref="Finish"/>.</summary>
    private protected abstract void CutOff();

    /// <summary>Completes the run with its report and stops the supervisor (once).</summary>
    private protected void Finish()
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }
        Timers.CancelAll();
        OnTick();
        _completion.TrySetResult(BuildReport());
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        _pacerStop.Cancel();
        _pacerStop.Dispose();
        // A stop from outside (the actor system shutting down) must still complete the run.
        _completion.TrySetResult(BuildReport());
        base.PostStop();
    }

    private LoadReport BuildReport() => Recorder.BuildReport(_header) with { AbortReason = _abortReason, AbortKind = _abortKind };
}
