using Akka.Actor;
using Akka.Configuration;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Outbox.Tests.Support;
using Npgsql;

namespace MailActors.Outbox.Tests;

/// <summary>
/// A store that cannot be used fails <see cref="Outbox.StartAsync"/> at once with the store's own error, and leaves
/// nothing running. Before, the start waited out a 30 s ask (the journal) or 5 minutes (a partition) and then threw an
/// <see cref="AskTimeoutException"/> that said nothing about the store.
/// </summary>
public sealed class StartFailureTests
{
    // Shorter than the 30 s ask the start used to wait out, so that waiting it out fails the test.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static readonly MailerOptions Mailer = new() { Routes = [OutboxHarness.Route(9)] };

    [Fact]
    public async Task A_role_that_may_connect_but_not_create_the_tables_fails_the_start_at_once_with_the_stores_error()
    {
        await using var role = await RestrictedPostgresRole.CreateAsync();
        var store = OutboxStore.Postgres(role.ConnectionString);
        await store.PrepareAsync(); // connecting works: the database is there

        var system = CreateSystem(store.ToConfig());
        try
        {
            var error = await Assert.ThrowsAsync<OutboxStartException>(() => Outbox.StartAsync(system, OutboxHarness.FastOptions, Mailer).WaitAsync(Guard));

            Assert.Contains("failed", error.Message, StringComparison.Ordinal);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(error.InnerException).SqlState);
            await NothingLeftRunningAsync(system);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_read_only_start_on_tables_the_role_may_not_read_fails_at_once_with_the_stores_error()
    {
        await using var role = await RestrictedPostgresRole.CreateAsync();
        await using (await OutboxHarness.StartAsync(OutboxStore.Postgres(role.SuperuserConnectionString), port: 9))
        {
            // the superuser creates the outbox's tables; the role may see them but not read them
        }
        var store = OutboxStore.Postgres(role.ConnectionString);
        Assert.True(await store.ExistsAsync());

        var system = CreateSystem(store.ToReadOnlyConfig());
        try
        {
            var error = await Assert.ThrowsAsync<OutboxStartException>(() => Outbox.StartAsync(system, OutboxHarness.FastOptions with { Passive = true }, null).WaitAsync(Guard));

            Assert.StartsWith("The outbox's partition count (mailactors-outbox-meta) could not be recovered from the journal", error.Message, StringComparison.Ordinal);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(error.InnerException).SqlState);
            await NothingLeftRunningAsync(system);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_partition_whose_journal_cannot_be_read_fails_the_start_instead_of_restarting_for_ever()
    {
        using var store = new TempSqliteStore();
        await using (var harness = await OutboxHarness.StartAsync(store.Store, port: 9))
        {
            Assert.Equal(2, harness.Outbox.Options.Partitions);
        }
        var row = new UnreadableJournalRow(store.FilePath, "mailactors-outbox-partition-1");
        await row.InsertAsync();

        var system = CreateSystem(store.Store.ToConfig());
        try
        {
            var error = await Assert.ThrowsAsync<OutboxStartException>(() => Outbox.StartAsync(system, OutboxHarness.FastOptions, Mailer).WaitAsync(Guard));

            Assert.StartsWith("Outbox partition 1 (mailactors-outbox-partition-1) could not be recovered from the journal", error.Message, StringComparison.Ordinal);
            Assert.Contains("from-a-newer-version", Causes(error), StringComparison.Ordinal);
            await NothingLeftRunningAsync(system);
        }
        finally
        {
            await system.Terminate();
        }

        // The store itself is fine once the row is gone: the failed start left nothing behind that stands in the way.
        await row.DeleteAsync();
        await using var recovered = await OutboxHarness.StartAsync(store.Store, port: 9);
        Assert.Equal(0, (await recovered.Outbox.GetCountsAsync()).MessagesUnfinished);
    }

    private static ActorSystem CreateSystem(Config store) =>
        ActorSystem.Create("outbox-start-test", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING")
            .WithFallback(store)
            .WithFallback(MailActorsConfig.Default));

    private static string Causes(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }
        return string.Join(" | ", messages);
    }

    /// <summary>The start's actors (meta, suppression list, partitions under their backoff supervisors) are all stopped.</summary>
    private static Task NothingLeftRunningAsync(ActorSystem system)
    {
        var guardian = (ActorRefWithCell)((ExtendedActorSystem)system).Guardian;
        return Eventually.TrueAsync(() => !guardian.Children.Any(c => c.Path.Name.StartsWith("outbox-", StringComparison.Ordinal)),
            "every actor of the failed start stopped", timeoutSeconds: 10);
    }
}
