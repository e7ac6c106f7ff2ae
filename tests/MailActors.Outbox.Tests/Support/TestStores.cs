using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailActors.Outbox.Tests.Support;

/// <summary>A fresh, empty store for one test: a SQLite file or a PostgreSQL database, removed on dispose.</summary>
internal abstract class TestStore : IAsyncDisposable
{
    /// <summary>The store kinds every store-facing test runs on.</summary>
    public static TheoryData<string> Kinds => new() { "sqlite", "postgres" };

    public abstract OutboxStore Store { get; }

    /// <summary>The spec for the command line (<c>sqlite:FILE</c> or <c>postgres:...</c>).</summary>
    public abstract string Spec { get; }

    public static async Task<TestStore> CreateAsync(string kind) => kind switch
    {
        "sqlite" => new TempSqliteStore(),
        "postgres" => await TempPostgresStore.CreateAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The octets of the journal rows not yet deleted (a query for <see cref="ScalarAsync"/>).</summary>
    public const string LiveJournalBytes = "SELECT COALESCE(SUM(LENGTH(message)), 0) FROM journal WHERE deleted = false";

    /// <summary>Runs a scalar query (journal rows...).</summary>
    public abstract Task<long> ScalarAsync(string sql);

    public abstract ValueTask DisposeAsync();
}

/// <summary>A SQLite file in a temporary directory.</summary>
internal sealed class TempSqliteStore : TestStore, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailactors-outbox-tests", Guid.NewGuid().ToString("N"));

    public TempSqliteStore()
    {
        Directory.CreateDirectory(_directory);
        FilePath = Path.Combine(_directory, "outbox.db");
        Store = OutboxStore.Sqlite(FilePath);
    }

    public string FilePath { get; }

    public override OutboxStore Store { get; }

    public override string Spec => "sqlite:" + FilePath;

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public override Task<long> ScalarAsync(string sql) => Task.FromResult(Scalar(sql));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a handle may linger for a moment; the temporary directory is cleaned eventually
        }
    }

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A database of its own in the private PostgreSQL cluster (created by the store's PrepareAsync, dropped on dispose).</summary>
internal sealed class TempPostgresStore : TestStore
{
    private readonly string _server;
    private readonly string _database;

    private TempPostgresStore(string server, string database)
    {
        _server = server;
        _database = database;
        Store = OutboxStore.Postgres(ConnectionString);
    }

    public static async Task<TempPostgresStore> CreateAsync() =>
        new(await PostgresServer.ConnectionStringAsync(), "outbox_test_" + Guid.NewGuid().ToString("N")[..12]);

    public string ConnectionString => $"{_server};Database={_database}";

    public override OutboxStore Store { get; }

    public override string Spec => "postgres:" + ConnectionString;

    public override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server + ";Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
