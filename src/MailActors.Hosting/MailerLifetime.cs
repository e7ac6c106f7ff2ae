using Akka;
using Akka.Actor;
using Akka.Event;
using MailActors.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailActors.Hosting;

/// <summary>
/// Drains the registered <see cref="Mailer"/> before its actor system ends. Without it the container disposed the
/// mailer only after Akka.Hosting had terminated the system, when every route had already failed what it held.
/// </summary>
/// <remarks>
/// Two triggers share one drain: <see cref="MailerDrainService"/> when the host stops, bounded by the host's shutdown
/// timeout, and a task in Akka's <c>service-requests-done</c> phase for shutdowns that start inside Akka (or reach it
/// while hosted services stop concurrently), bounded by that phase's timeout.
/// </remarks>
internal sealed class MailerLifetime
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _givenUp = new();
    private Mailer? _mailer;
    private ActorSystem? _system;
    private Task? _draining;

    /// <summary>Remembers the mailer and has the system's coordinated shutdown drain it.</summary>
    public Mailer Track(Mailer mailer, ActorSystem system)
    {
        lock (_gate)
        {
            _mailer = mailer;
            _system = system;
        }
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "mailactors-drain-mailer", async () =>
        {
            await WaitForDrainAsync(CancellationToken.None).ConfigureAwait(false);
            return Done.Instance;
        });
        return mailer;
    }

    /// <summary>
    /// Starts the drain (once) and waits for it, until <paramref name="cancellationToken"/> fires. True when the mailer
    /// drained, or was never created.
    /// </summary>
    public async Task<bool> WaitForDrainAsync(CancellationToken cancellationToken)
    {
        Task draining;
        lock (_gate)
        {
            if (_mailer is null)
            {
                return true;
            }
            draining = _draining ??= DisposeAsync(_mailer);
        }
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _givenUp.Token);
        try
        {
            await draining.WaitAsync(either.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// The host's time is up: waits still under way end, and the coordinated shutdown that follows does not wait
    /// again; the routes fail what they still hold when the system stops.
    /// </summary>
    public void GiveUp() => _givenUp.Cancel();

    private async Task DisposeAsync(Mailer mailer)
    {
        try
        {
            await mailer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nobody may be waiting any more (the host gave up); the failure must not go unobserved.
            _system?.Log.Warning(e, "MailActors: disposing the mailer at shutdown failed");
        }
    }
}

/// <summary>
/// Registered after Akka.Hosting's hosted service, so the host stops it first: the mailer drains while the actor
/// system still runs.
/// </summary>
internal sealed class MailerDrainService(MailerLifetime lifetime, ILogger<MailerDrainService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!await lifetime.WaitForDrainAsync(cancellationToken).ConfigureAwait(false))
        {
            lifetime.GiveUp();
            logger.LogWarning("The host's shutdown timeout ran out before the mailer drained; messages still in flight fail when the actor system stops.");
        }
    }
}
