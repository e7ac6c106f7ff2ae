using MailActors.Outbox;
using Npgsql;

namespace MailActors.Benchmarking;

/// <summary>Store handling shared by the outbox benchmarks.</summary>
internal static class BenchStore
{
    /// <summary>Empties <paramref name="store"/> so a run starts from nothing: a SQLite file is deleted, a PostgreSQL database dropped.</summary>
    public static async Task EmptyAsync(OutboxStore store)
    {
        if (store.Describe().StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = store.Describe()["sqlite:".Length..];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
            return;
        }
        var builder = new NpgsqlConnectionStringBuilder(store.ConnectionString);
        var database = builder.Database!;
        builder.Database = "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
