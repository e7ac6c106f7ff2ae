using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace MailActors.Outbox.Actors;

/// <summary>
/// Ends <see cref="Outbox.StartAsync"/> at once, with the store's own error, when the store cannot be used. Without it
/// the start waited out its asks: a journal plugin that cannot initialize (a role that may connect but not create the
/// tables) never answers a recovery, it restarts and retries for ever, logging each failure; and a persistent actor that
/// cannot recover either stops (the meta actor: its ask timed out after 30 s) or is restarted by its backoff supervisor
/// for ever (the suppression list and the partitions: 5 minutes). The plugins' errors and the actors' recovery failures
/// are reported here while the start runs; later ones are the running outbox's business (logged, retried).
/// </summary>
internal sealed class StartupGuard : IAsyncDisposable
{
    private readonly TaskCompletionSource<OutboxStartException> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abandon;
    private readonly ActorSystem _system;
    private readonly IActorRef _pluginErrors;

    public StartupGuard(ActorSystem system, string name, CancellationToken cancellationToken)
    {
        _system = system;
        _abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        // Asking for the plugins starts them if they are not running yet; their initialization takes at least a
        // round trip to the database, so the subscription below is in place before they can fail.
        var plugins = new[] { ("journal", persistence.JournalFor(null)), ("snapshot store", persistence.SnapshotStoreFor(null)) }
            .Select(p => new Plugin(p.Item1, p.Item2.Path.Name, p.Item2.Path.ToStringWithoutAddress()))
            .ToArray();
        _pluginErrors = system.ActorOf(Props.Create(() => new PluginErrors(plugins, Fail)), name);
        system.EventStream.Subscribe(_pluginErrors, typeof(Error));
    }

    /// <summary>A callback for a persistent actor's <c>OnRecoveryFailure</c>; <paramref name="what"/> names the actor.</summary>
    public Action<Exception> RecoveryFailed(string what) =>
        cause => Fail(new OutboxStartException($"{what} could not be recovered from the journal", cause));

    /// <summary>
    /// Runs one step of the start (an ask, given the token to end it with) and throws the store's failure as soon as one
    /// is reported, instead of waiting for the step to time out.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> step)
    {
        var task = step(_abandon.Token);
        if (await Task.WhenAny(task, _failed.Task).ConfigureAwait(false) == task)
        {
            return await task.ConfigureAwait(false);
        }
        // Abandoned: its own end (cancelled, or timed out) is observed but is not the news.
        _ = task.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await _abandon.CancelAsync().ConfigureAwait(false);
        throw await _failed.Task.ConfigureAwait(false);
    }

    private void Fail(OutboxStartException failure) => _failed.TrySetResult(failure);

    public ValueTask DisposeAsync()
    {
        _system.EventStream.Unsubscribe(_pluginErrors);
        _system.Stop(_pluginErrors);
        _abandon.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record Plugin(string Kind, string Id, string Path);

    /// <summary>Turns the first error a persistence plugin logs into the start's failure.</summary>
    private sealed class PluginErrors : ReceiveActor
    {
        public PluginErrors(Plugin[] plugins, Action<OutboxStartException> fail)
        {
            Receive<Error>(error =>
            {
                if (plugins.FirstOrDefault(p => error.LogSource.EndsWith(p.Path, StringComparison.Ordinal)) is { } plugin)
                {
                    var cause = error.Cause ?? new InvalidOperationException(error.Message?.ToString());
                    fail(new OutboxStartException($"The outbox store's {plugin.Kind} ({plugin.Id}) failed", cause));
                }
            });
        }
    }
}
