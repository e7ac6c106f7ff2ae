using MailActors.Outbox.Tests.Support;
using Npgsql;

namespace MailActors.Outbox.Tests;

/// <summary><see cref="OutboxStore.ExistsAsync"/>: the read-only look at a store (for <c>mailactors status</c>) creates nothing.</summary>
public sealed class StoreExistenceTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_store_exists_once_an_outbox_ran_on_it_and_looking_before_creates_nothing(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);

        Assert.False(await store.Store.ExistsAsync());
        Assert.False(await CreatedAsync(store));

        await using (await OutboxHarness.StartAsync(store.Store, port: 9))
        {
        }
        Assert.True(await store.Store.ExistsAsync());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_prepared_store_without_the_journal_table_holds_no_outbox(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await store.Store.PrepareAsync();

        Assert.False(await store.Store.ExistsAsync());
    }

    /// <summary>Whether the SQLite file or the PostgreSQL database is there at all (asked of the cluster, not of the database).</summary>
    private static async Task<bool> CreatedAsync(TestStore store)
    {
        if (store is TempSqliteStore sqlite)
        {
            return File.Exists(sqlite.FilePath);
        }
        var target = new NpgsqlConnectionStringBuilder(store.Store.ConnectionString);
        var maintenance = new NpgsqlConnectionStringBuilder(store.Store.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", target.Database!);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
