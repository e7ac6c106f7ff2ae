using Microsoft.Data.Sqlite;

namespace MailActors.Outbox.Tests.Support;

/// <summary>
/// A journal row this version cannot read (an unknown manifest, as a newer version might write), appended to one
/// persistence id of a SQLite outbox store: the actor's recovery fails on it for as long as it is there. What a damaged
/// store, or a downgrade, looks like to the outbox; removable, so that the actor recovers again.
/// </summary>
internal sealed class UnreadableJournalRow(string sqliteFile, string persistenceId)
{
    private const int OutboxSerializerId = 7301;

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = sqliteFile, Pooling = false }.ToString();

    public async Task InsertAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // After every row and snapshot of the id, so that recovery reaches it whatever the snapshot.
        command.CommandText = """
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
            VALUES ($created, 0, $id,
                    1 + (SELECT COALESCE(MAX(seq), 0) FROM (SELECT sequence_number AS seq FROM journal WHERE persistence_id = $id
                                                            UNION ALL SELECT sequence_number FROM snapshot WHERE persistence_id = $id)),
                    x'00', 'from-a-newer-version', $serializer, 'test')
            """;
        command.Parameters.AddWithValue("$created", DateTime.UtcNow.Ticks);
        command.Parameters.AddWithValue("$id", persistenceId);
        command.Parameters.AddWithValue("$serializer", OutboxSerializerId);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DeleteAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM journal WHERE persistence_id = $id AND manifest = 'from-a-newer-version'";
        command.Parameters.AddWithValue("$id", persistenceId);
        await command.ExecuteNonQueryAsync();
    }
}
