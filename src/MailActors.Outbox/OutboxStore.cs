using System.Globalization;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailActors.Outbox;

/// <summary>
/// Where the outbox journals: an embedded SQLite file (the default) or a PostgreSQL database (scale-out). Gives the
/// Akka.Persistence.Sql configuration (from <c>hocon/persistence-sqlite.conf</c> or <c>persistence-postgres.conf</c>)
/// to create the actor system with, and prepares the database before first use.
/// </summary>
public abstract record OutboxStore
{
    private protected OutboxStore(string connectionString) => ConnectionString = connectionString;

    /// <summary>The ADO.NET connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>A SQLite file (created if missing; WAL mode).</summary>
    public static OutboxStore Sqlite(string path) => new SqliteStore(Path.GetFullPath(path ?? throw new ArgumentNullException(nameof(path))));

    /// <summary>A PostgreSQL database given by an Npgsql connection string (the database is created if missing).</summary>
    public static OutboxStore Postgres(string connectionString) => new PostgresStore(connectionString ?? throw new ArgumentNullException(nameof(connectionString)));

    /// <summary>Parses <c>sqlite:FILE</c> or <c>postgres:CONNECTION-STRING</c> (the command-line form).</summary>
    /// <exception cref="FormatException">
    /// Neither form (the message repeats the kind only when it is a bare word, never a connection string), or a
    /// connection string Npgsql cannot read.
    /// </exception>
    public static OutboxStore Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var (kind, rest) = colon < 0 ? (spec, "") : (spec[..colon].ToLowerInvariant(), spec[(colon + 1)..]);
        return kind switch
        {
            "sqlite" when rest.Length > 0 => Sqlite(rest),
            "postgres" or "postgresql" when rest.Length > 0 => Postgres(ReadableConnectionString(rest)),
            _ => throw new FormatException($"A store is 'sqlite:FILE' or 'postgres:CONNECTION-STRING'; {Given(spec, colon)}."),
        };
    }

    private const int LongestKindShown = 20;

    // A mistyped store usually comes with a real connection string, password and all, and a connection string without
    // its prefix has no colon before the password (or one inside it): only a bare word can be told apart from such text,
    // so only a bare word is repeated, never what follows it.
    private static string Given(string spec, int colon)
    {
        var kind = colon < 0 ? spec : spec[..colon];
        if (kind.Length is 0 or > LongestKindShown || !kind.All(char.IsAsciiLetter))
        {
            return "the value given starts with neither (not repeated here: it may hold a password)";
        }
        return colon < 0 ? $"got '{kind}'" : $"got '{kind}:{(colon + 1 < spec.Length ? "…" : "")}'";
    }

    // Npgsql reads a connection string only when a connection is opened, so without this check a malformed one would
    // surface there as an ArgumentException instead of as the format error of the command line it came from.
    private static string ReadableConnectionString(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return connectionString;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'postgres:' needs an Npgsql connection string (Host=…;Database=…): {e.Message}", e);
        }
    }

    /// <summary>The Akka configuration for this store: journal, snapshot store, query plugin and the outbox serializer.</summary>
    public Config ToConfig() => ConfigurationFactory.ParseString(Hocon());

    /// <summary>
    /// <see cref="ToConfig"/> for read-only use (<see cref="OutboxOptions.Passive"/>, after <see cref="ExistsAsync"/>):
    /// the journal and snapshot plugins do not create their tables, so opening a store changes nothing in it.
    /// </summary>
    public Config ToReadOnlyConfig() => ConfigurationFactory.ParseString(
        Hocon() + "akka.persistence.journal.sql.auto-initialize = off\nakka.persistence.snapshot-store.sql.auto-initialize = off\n");

    // The override comes after the template in one parse, so the template's ${...} substitutions see it.
    private string Hocon() =>
        OutboxConfig.ReadResource(TemplateName) + "\nmailactors.outbox.store.connection-string = " + Quote(ConnectionString) + "\n";

    /// <summary>Creates what the journal needs before the actor system touches it (database, file, WAL mode).</summary>
    public abstract Task PrepareAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether the store already holds an outbox journal (the SQLite file, or the PostgreSQL database, with its journal
    /// table), found without creating anything: the check for read-only use such as <see cref="OutboxOptions.Passive"/>,
    /// where <see cref="PrepareAsync"/> and the journal's table auto-creation would turn a mistyped store into an empty one.
    /// </summary>
    public abstract Task<bool> ExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>The table every outbox journal has (Akka.Persistence.Sql's default name).</summary>
    private protected const string JournalTable = "journal";

    /// <summary>Short description for logs and the command line (no password).</summary>
    public abstract string Describe();

    private protected abstract string TemplateName { get; }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private sealed record SqliteStore : OutboxStore
    {
        public SqliteStore(string path)
            : base(new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 60 }.ToString()) => FilePath = path;

        public string FilePath { get; }

        private protected override string TemplateName => "persistence-sqlite.conf";

        public override async Task PrepareAsync(CancellationToken cancellationToken = default)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var connection = new SqliteConnection(ConnectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    // WAL is a property of the file: set once, every later connection uses it. Readers never block the writer.
                    command.CommandText = "PRAGMA journal_mode=WAL;";
                    var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                    if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidOperationException($"SQLite refused WAL mode for {FilePath} (journal_mode is {mode}).");
                    }
                }
            }
        }

        public override async Task<bool> ExistsAsync(CancellationToken cancellationToken = default)
        {
            if (!File.Exists(FilePath))
            {
                return false;
            }
            // Read-only, so that not even a journal-less file is changed by looking at it.
            var readOnly = new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
            var connection = new SqliteConnection(readOnly);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
                        command.Parameters.AddWithValue("$name", JournalTable);
                        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
                    }
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
                {
                    return false;
                }
            }
        }

        public override string Describe() => "sqlite:" + FilePath;

        private const int SqliteNotADatabase = 26;
    }

    private sealed record PostgresStore : OutboxStore
    {
        public PostgresStore(string connectionString)
            : base(connectionString)
        {
        }

        private protected override string TemplateName => "persistence-postgres.conf";

        public override async Task PrepareAsync(CancellationToken cancellationToken = default)
        {
            var target = new NpgsqlConnectionStringBuilder(ConnectionString);
            try
            {
                var probe = new NpgsqlConnection(ConnectionString);
                await using (probe.ConfigureAwait(false))
                {
                    await probe.OpenAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName && target.Database is { Length: > 0 } name)
            {
                var maintenance = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" };
                var admin = new NpgsqlConnection(maintenance.ConnectionString);
                await using (admin.ConfigureAwait(false))
                {
                    await admin.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var create = admin.CreateCommand();
                    await using (create.ConfigureAwait(false))
                    {
                        create.CommandText = $"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
                        try
                        {
                            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (PostgresException raced) when (raced.SqlState == PostgresErrorCodes.DuplicateDatabase)
                        {
                            // another process created it first
                        }
                    }
                }
            }
        }

        public override async Task<bool> ExistsAsync(CancellationToken cancellationToken = default)
        {
            var connection = new NpgsqlConnection(ConnectionString);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
                {
                    return false;
                }
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    // Resolved through the search path, as the journal plugin resolves its unqualified table name.
                    command.CommandText = "SELECT to_regclass(@name) IS NOT NULL";
                    command.Parameters.AddWithValue("name", JournalTable);
                    return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
                }
            }
        }

        public override string Describe()
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null };
            return "postgres:" + builder.ConnectionString;
        }
    }
}
