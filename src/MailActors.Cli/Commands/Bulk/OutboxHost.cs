using Akka.Actor;
using Akka.Configuration;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Outbox;

namespace MailActors.Cli.Commands.Bulk;

/// <summary>An actor system on a store with an outbox in it, for the bulk and status commands.</summary>
internal sealed class OutboxHost : IAsyncDisposable
{
    private OutboxHost(ActorSystem system, Outbox.Outbox outbox)
    {
        System = system;
        Outbox = outbox;
    }

    public ActorSystem System { get; }

    public Outbox.Outbox Outbox { get; }

    public static OutboxStore ParseStore(string spec)
    {
        try
        {
            return OutboxStore.Parse(spec);
        }
        catch (FormatException e)
        {
            throw new CliUsageException("--store: " + e.Message);
        }
    }

    /// <summary>
    /// Starts the outbox on <paramref name="store"/>. A passive (read-only) start creates nothing — no file, database or
    /// table — and throws <see cref="StoreNotFoundException"/> when the store holds no outbox yet.
    /// </summary>
    public static async Task<OutboxHost> StartAsync(OutboxStore store, OutboxOptions options, MailerOptions? mailer, CancellationToken ct)
    {
        if (options.Passive)
        {
            if (!await store.ExistsAsync(ct).ConfigureAwait(false))
            {
                throw new StoreNotFoundException(store);
            }
        }
        else
        {
            await store.PrepareAsync(ct).ConfigureAwait(false);
        }
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.log-dead-letters = off")
            .WithFallback(options.Passive ? store.ToReadOnlyConfig() : store.ToConfig())
            .WithFallback(OutboxConfig.Default)
            .WithFallback(MailActorsConfig.Default);
        var system = ActorSystem.Create("mailactors-outbox", config);
        try
        {
            var outbox = await MailActors.Outbox.Outbox.StartAsync(system, options, mailer, ct).ConfigureAwait(false);
            return new OutboxHost(system, outbox);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Outbox.DisposeAsync().ConfigureAwait(false);
        await System.Terminate().ConfigureAwait(false);
    }
}

/// <summary>A read-only command was pointed at a store that holds no outbox (a mistyped path, or a store never written).</summary>
internal sealed class StoreNotFoundException(OutboxStore store)
    : Exception($"{store.Describe()} holds no outbox; nothing was created (check --store, or run bulk first).");
