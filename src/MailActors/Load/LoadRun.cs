using System.Globalization;
using Akka.Actor;

namespace MailActors.Load;

/// <summary>
/// A running load test: start it with <see cref="Start"/>, watch <see cref="Progress"/>, await <see cref="Completion"/>
/// for the report. Every run is bounded (message count or duration) and ends by itself; <see cref="Stop"/> ends it early.
/// </summary>
public sealed class LoadRun
{
    private readonly IActorRef _supervisor;

    private LoadRun(IActorRef supervisor, LoadRecorder recorder, Task<LoadReport> completion)
    {
        _supervisor = supervisor;
        Recorder = recorder;
        Completion = completion;
    }

    /// <summary>The run's measurements (live).</summary>
    public LoadRecorder Recorder { get; }

    /// <summary>The latest snapshot, refreshed every second.</summary>
    public LoadProgress Progress => Recorder.Progress;

    /// <summary>Completes with the report when the run is over.</summary>
    public Task<LoadReport> Completion { get; }

    /// <summary>Starts an SMTP load run on <paramref name="system"/>.</summary>
    /// <exception cref="ArgumentException">The options are not a bounded, valid run.</exception>
    public static LoadRun Start(ActorSystem system, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var recorder = new LoadRecorder();
        var completion = new TaskCompletionSource<LoadReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = new LoadMessageFactory(options.Message);
        var props = LoadSupervisor.Props(options, recorder, factory, Header(options), completion);
        var supervisor = system.ActorOf(options.Dispatcher is { } dispatcher ? props.WithDispatcher(dispatcher) : props);
        return new LoadRun(supervisor, recorder, completion.Task);
    }

    /// <summary>Starts a POP3 read run on <paramref name="system"/> (Postal's rabid is the model).</summary>
    /// <exception cref="ArgumentException">The options are not a bounded, valid run.</exception>
    public static LoadRun StartPop3(ActorSystem system, Pop3LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var recorder = new LoadRecorder();
        var completion = new TaskCompletionSource<LoadReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = options.Session.Connection;
        var header = new LoadReportHeader(
            "pop3",
            string.Join(",", connection.Hosts.Select(h => h.Port is null ? $"{h.Host}:{connection.DefaultPort}" : h.ToString())),
            "closed-loop", options.Sessions, null, options.Messages, options.Duration, DateTimeOffset.UtcNow,
            new Dictionary<string, string>
            {
                ["user"] = options.User,
                ["login"] = options.Session.LoginMethod.ToString().ToLowerInvariant(),
                ["tls"] = connection.ImplicitTls ? "implicit" : options.Session.TlsMode.ToString().ToLowerInvariant(),
                ["delete"] = options.Delete ? "on" : "off",
                ["messages-per-connection"] = options.MessagesPerConnection == 0 ? "whole mailbox" : options.MessagesPerConnection.ToString(CultureInfo.InvariantCulture),
            });
        var supervisor = system.ActorOf(Pop3LoadSupervisor.Props(options, recorder, header, completion));
        return new LoadRun(supervisor, recorder, completion.Task);
    }

    /// <summary>Ends the run early: no new work; sessions finish what they have in hand and QUIT.</summary>
    /// <param name="drainTimeout">How long they may take before they are cut off and the report is made; null, or
    /// longer than the run's own drain time, means that drain time. A run that is already draining after its bound
    /// only has its drain shortened.</param>
    public void Stop(TimeSpan? drainTimeout = null) => _supervisor.Tell(new LoadSupervisorBase.StopRun(drainTimeout));

    private static LoadReportHeader Header(LoadOptions options)
    {
        var session = options.Session;
        var hosts = string.Join(",", session.Connection.Hosts.Select(h => h.Port is null ? $"{h.Host}:{session.Connection.DefaultPort}" : h.ToString()));
        var settings = new Dictionary<string, string>
        {
            ["size"] = options.Message.Size.ToString(),
            ["recipients"] = options.Message.Recipients.ToString(CultureInfo.InvariantCulture),
            ["from"] = options.Message.From,
            ["to"] = options.Message.To,
            ["tls"] = session.Connection.ImplicitTls ? "implicit" : session.TlsMode.ToString().ToLowerInvariant(),
            ["pipelining"] = session.UsePipelining ? "on" : "off",
            ["chunking"] = session.PreferChunking ? "on" : "off",
            ["messages-per-connection"] = options.MessagesPerConnection == 0 ? "unlimited" : options.MessagesPerConnection.ToString(CultureInfo.InvariantCulture),
            ["auth"] = session.Credentials is null ? "none" : session.Credentials.UserName,
        };
        if (options.ConnectRate is { } connectRate)
        {
            settings["connect-rate"] = connectRate.ToString(CultureInfo.InvariantCulture);
        }
        var mode = options.Hold ? "hold" : options.Rate is null ? "closed-loop" : "open-loop";
        return new LoadReportHeader("smtp", hosts, mode, options.Sessions, options.Rate, options.PlannedMessages, options.Duration, DateTimeOffset.UtcNow, settings);
    }
}
