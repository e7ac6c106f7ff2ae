using Npgsql;

namespace MailActors.Outbox.Tests.Support;

/// <summary>
/// A PostgreSQL role that may log in to a database of its own but not create anything in it: the database belongs to the
/// superuser and CREATE on its public schema is revoked, so the journal's table creation fails with "permission denied
/// for schema public", and tables the superuser created there cannot be read by the role. Role and database are dropped
/// on dispose.
/// </summary>
internal sealed class RestrictedPostgresRole : IAsyncDisposable
{
    /// <summary>A password to look for in output: the private cluster trusts 127.0.0.1, so any password logs in.</summary>
    public const string Password = "restricted-secret-pw";

    private readonly string _server;

    private RestrictedPostgresRole(string server, string name)
    {
        _server = server;
        Name = name;
    }

    /// <summary>The role's name, which is also the database's.</summary>
    public string Name { get; }

    /// <summary>The restricted role's connection string to its database (with <see cref="Password"/>).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Username = Name, Password = Password, Database = Name }.ConnectionString;

    /// <summary><see cref="ConnectionString"/> without the password, as <see cref="OutboxStore.Describe"/> shows it.</summary>
    public string Described => new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }.ConnectionString;

    /// <summary>The superuser's connection string to the same database (to create an outbox there the role cannot use).</summary>
    public string SuperuserConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = Name }.ConnectionString;

    public static async Task<RestrictedPostgresRole> CreateAsync()
    {
        var role = new RestrictedPostgresRole(await PostgresServer.ConnectionStringAsync(), "mailactors_restricted_" + Guid.NewGuid().ToString("N")[..10]);
        await role.ExecuteAsync("postgres", $"CREATE ROLE {role.Name} LOGIN", $"CREATE DATABASE {role.Name}");
        // PostgreSQL 15 no longer grants CREATE on public to everyone; revoked all the same, for older servers.
        await role.ExecuteAsync(role.Name, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        return role;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", $"DROP ROLE IF EXISTS {Name}");
    }

    private async Task ExecuteAsync(string database, params string[] statements)
    {
        var builder = new NpgsqlConnectionStringBuilder(_server) { Database = database, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
