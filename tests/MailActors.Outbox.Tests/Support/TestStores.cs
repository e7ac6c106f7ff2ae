using Microsoft.Data.Sqlite;

namespace MailActors.Outbox.Tests.Support;

/// <summary>Fresh stores for tests: a SQLite file in a temporary directory (deleted on dispose).</summary>
internal sealed class TempSqliteStore : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailactors-outbox-tests", Guid.NewGuid().ToString("N"));

    public TempSqliteStore()
    {
        Directory.CreateDirectory(_directory);
        FilePath = Path.Combine(_directory, "outbox.db");
        Store = OutboxStore.Sqlite(FilePath);
    }

    public string FilePath { get; }

    public OutboxStore Store { get; }

    /// <summary>Runs a scalar query against the store's file (journal rows, page counts...).</summary>
    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a pooled handle may linger for a moment; the temp directory is cleaned by the OS eventually
        }
    }
}
