using Akka.Event;

namespace MailActors.Cli.Commands.Bulk;

/// <summary>
/// Akka's console logger for the outbox commands, holding back the errors logged while the outbox starts. A store that
/// cannot be used makes its journal plugin log the failure with a stack trace every second until the start gives up,
/// and the command reports that failure as one <c>error:</c> line of its own. Once the outbox runs
/// (<see cref="OutboxStarted"/>), whatever was held back is printed and later errors go to the terminal as before.
/// </summary>
internal sealed class StartupQuietLogger : DefaultLogger
{
    /// <summary>The HOCON that makes this the actor system's logger.</summary>
    public const string Config = "akka.loggers = [\"MailActors.Cli.Commands.Bulk.StartupQuietLogger, MailActors.Cli\"]";

    // A start that fails ends in seconds, so this is far more than it logs; a bound all the same.
    private const int MostHeld = 100;
    private List<LogEvent>? _held = [];

    /// <summary>Published on the actor system's event stream once the outbox has started.</summary>
    public sealed record OutboxStarted
    {
        public static OutboxStarted Instance { get; } = new();
    }

    protected override void PreStart()
    {
        base.PreStart();
        Context.System.EventStream.Subscribe(Self, typeof(OutboxStarted));
    }

    protected override bool Receive(object message)
    {
        if (message is not OutboxStarted)
        {
            return base.Receive(message);
        }
        var held = _held ?? [];
        _held = null;
        foreach (var logEvent in held)
        {
            base.Print(logEvent);
        }
        return true;
    }

    protected override void Print(LogEvent logEvent)
    {
        if (_held is not null && logEvent is Error)
        {
            if (_held.Count < MostHeld)
            {
                _held.Add(logEvent);
            }
            return;
        }
        base.Print(logEvent);
    }
}
