using System.Data.Common;
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
    /// table — and throws <see cref="StoreNotFoundException"/> when the store holds no outbox yet;
    /// <see cref="StoreUnavailableException"/> when the store cannot be reached or opened at all, or opened but not used
    /// (the journal cannot create or read its tables). Akka's errors while the outbox starts are held back
    /// (<see cref="StartupQuietLogger"/>): a failed start is that one exception, not pages of stack traces.
    /// </summary>
    public static async Task<OutboxHost> StartAsync(OutboxStore store, OutboxOptions options, MailerOptions? mailer, CancellationToken ct)
    {
        try
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
        }
        // The first touch of the store is where a server that is down, a refused login, or a file that cannot be opened
        // shows; the driver's exception does not say which store it was, and its stack trace is no message for a user.
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(store, e);
        }
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.log-dead-letters = off\n" + StartupQuietLogger.Config)
            .WithFallback(options.Passive ? store.ToReadOnlyConfig() : store.ToConfig())
            .WithFallback(OutboxConfig.Default)
            .WithFallback(MailActorsConfig.Default);
        var system = ActorSystem.Create("mailactors-outbox", config);
        try
        {
            var outbox = await MailActors.Outbox.Outbox.StartAsync(system, options, mailer, ct).ConfigureAwait(false);
            system.EventStream.Publish(StartupQuietLogger.OutboxStarted.Instance);
            return new OutboxHost(system, outbox);
        }
        // A store that connects but cannot be used (no right to create or read the journal's tables) shows only here.
        catch (OutboxStartException e)
        {
            await system.Terminate().ConfigureAwait(false);
            throw new StoreUnavailableException(store, e);
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

/// <summary>
/// The store could not be reached or opened (a PostgreSQL server that is down or refuses the login, a SQLite path that
/// is a directory or not a database), or opened but not used (a role without the right to create or read the journal's
/// tables); the message names the store as <see cref="OutboxStore.Describe"/> does, without a password, and the cause.
/// </summary>
internal sealed class StoreUnavailableException(OutboxStore store, Exception cause)
    : Exception($"{store.Describe()} could not be opened: {Causes(cause)}.", cause)
{
    // The driver's own message is often only the outer half ("Failed to connect to 127.0.0.1:1"), the reason
    // ("Connection refused") being in an inner exception; one line carries both, each said once.
    private static string Causes(Exception cause)
    {
        var parts = new List<string>();
        for (var e = cause; e is not null; e = e.InnerException)
        {
            // The first line: PostgreSQL's errors go on with "POSITION: 28" and the like.
            var text = e.Message.Trim().Split('\n')[0].Trim().TrimEnd('.');
            if (text.Length > 0 && !parts.Contains(text, StringComparer.Ordinal))
            {
                parts.Add(text);
            }
        }
        return string.Join(": ", parts).ReplaceLineEndings(" ");
    }
}
