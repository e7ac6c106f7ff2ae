using MailActors.Cli.Commands;
using MailActors.Cli.Commands.Bulk;
using MailActors.Cli.Tests.Support;
using MailActors.Outbox.Tests.Support;
using Npgsql;

namespace MailActors.Cli.Tests;

/// <summary>
/// <c>mailactors bulk</c> and <c>status</c> run as processes: bad numbers and ignored options refused, read-only status,
/// stores that cannot be opened.
/// </summary>
public sealed class BulkCommandTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("mailactors-bulk-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string File(string name) => Path.Combine(_directory, name);

    [Theory]
    [InlineData("--sessions", "0")]
    [InlineData("--max-queued", "0")]
    [InlineData("--batch", "-1")]
    [InlineData("--batch", "0")]
    [InlineData("--in-flight", "0")]
    [InlineData("--partitions", "0")]
    [InlineData("--max-rate", "0")]
    [InlineData("--max-message-size", "0")]
    [InlineData("--generate", "-3")]
    [InlineData("--size", "-1")]
    [InlineData("--max-age", "soon")]
    public async Task Bad_numbers_are_usage_errors_before_the_store_is_touched(string option, string value)
    {
        var store = File("outbox.db");
        string[] arguments = option == "--generate"
            ? ["bulk", "--store", "sqlite:" + store, "--embedded-sink", "--no-progress", option, value]
            : ["bulk", "--store", "sqlite:" + store, "--embedded-sink", "--no-progress", "--generate", "3", option, value];

        var result = await CliRunner.RunAsync(arguments, timeout: Bound);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: " + option, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Error, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(store));
    }

    [Theory]
    [InlineData("input", "--size", "100")]
    [InlineData("input", "--to", "x@example.test")]
    [InlineData("input", "--from", "x@example.test")]
    [InlineData("csv", "--size", "100")]
    [InlineData("csv", "--to", "x@example.test")]
    public async Task Options_the_input_would_ignore_are_refused(string input, string option, string value)
    {
        var emlDirectory = Directory.CreateDirectory(File("eml")).FullName;
        var csv = File("rows.csv");
        var template = File("template.eml");
        await System.IO.File.WriteAllTextAsync(csv, "email,name\nbob@example.test,Bob\n");
        await System.IO.File.WriteAllTextAsync(template, "From: a@example.test\r\nTo: {{email}}\r\nSubject: hi {{name}}\r\n\r\nhello\r\n");
        string[] source = input == "input" ? ["--input", emlDirectory] : ["--csv", csv, "--template", template];

        var result = await CliRunner.RunAsync(["bulk", "--store", "sqlite:" + File("outbox.db"), "--embedded-sink", "--no-progress", .. source, option, value], timeout: Bound);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(option + (option == "--from" ? " does not apply to --input" : " applies to --generate only"), result.Error, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(File("outbox.db")));
    }

    [Fact]
    public async Task Max_age_takes_the_duration_syntax_of_the_other_options()
    {
        var store = "sqlite:" + File("outbox.db");

        var result = await CliRunner.RunAsync(["bulk", "--store", store, "--embedded-sink", "--no-progress", "--generate", "2", "--max-age", "1h", "--retry-base-delay", "30s"], timeout: Bound);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("accepted=2 delivered=2", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1h", 3600)]
    [InlineData("30", 30)]
    [InlineData("90s", 90)]
    [InlineData("500ms", 0.5)]
    [InlineData("01:00:00", 3600)]
    public void Duration_options_read_a_bare_number_as_seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BulkCommand.ParseDuration(text, "--max-age"));

    [Theory]
    [InlineData("soon")]
    [InlineData("0")]
    [InlineData("-00:01:00")]
    [InlineData("Infinity")]
    [InlineData("1e300")]
    public void Bad_durations_are_usage_errors(string text) =>
        Assert.Throws<CliUsageException>(() => BulkCommand.ParseDuration(text, "--max-age"));

    [Fact]
    public async Task Status_of_a_missing_store_is_an_error_and_creates_nothing()
    {
        var store = Path.Combine(_directory, "typo", "outbox.db");

        var result = await CliRunner.RunAsync(["status", "--store", "sqlite:" + store], timeout: Bound);

        Assert.Equal(StatusCommand.NoStore, result.ExitCode);
        Assert.Contains("error: sqlite:" + store + " holds no outbox", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("accepted=", result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(store)));
    }

    [Fact]
    public async Task Status_of_a_file_that_is_no_outbox_is_an_error_and_leaves_it_alone()
    {
        var store = File("notes.txt");
        await System.IO.File.WriteAllTextAsync(store, "not a database");

        var result = await CliRunner.RunAsync(["status", "--store", "sqlite:" + store], timeout: Bound);

        Assert.Equal(StatusCommand.NoStore, result.ExitCode);
        Assert.Equal("not a database", await System.IO.File.ReadAllTextAsync(store));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("bulk")]
    public async Task A_postgres_store_whose_server_is_down_is_one_error_line_naming_it_without_the_password(string command)
    {
        var port = LoopbackPort.Unused();
        var store = $"postgres:Host=127.0.0.1;Port={port};Username=mailactors;Password=secret-pw;Database=outbox";

        var result = await CliRunner.RunAsync(StoreCommand(command, store), timeout: Bound);

        AssertOneStoreErrorLine(result, $"postgres:Host=127.0.0.1;Port={port};Username=mailactors;Database=outbox", "Connection refused", "secret-pw");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("bulk")]
    public async Task A_login_the_postgres_server_refuses_is_one_error_line_with_the_servers_reason(string command)
    {
        // The private cluster trusts every password on 127.0.0.1, so the refused login is a role it does not know.
        var connection = new NpgsqlConnectionStringBuilder(await PostgresServer.ConnectionStringAsync())
        {
            Username = "mailactors_no_such_role",
            Password = "secret-pw",
            Database = "mailactors_cli_refused",
        };
        var described = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Password = null }.ConnectionString;

        var result = await CliRunner.RunAsync(StoreCommand(command, "postgres:" + connection.ConnectionString), timeout: Bound);

        AssertOneStoreErrorLine(result, $"postgres:{described}", "role \"mailactors_no_such_role\" does not exist", "secret-pw");
    }

    [Theory]
    [InlineData("bulk", false)]
    [InlineData("bulk", true)]
    [InlineData("status", true)]
    public async Task A_postgres_role_that_may_connect_but_not_use_the_store_is_one_error_line_at_once(string command, bool tablesExist)
    {
        await using var role = await RestrictedPostgresRole.CreateAsync();
        if (tablesExist)
        {
            // Created by the superuser: the role may see the outbox (status gets past its existence check) but neither
            // read its tables nor run the journal's CREATE TABLE IF NOT EXISTS.
            var created = await CliRunner.RunAsync(StoreCommand("bulk", "postgres:" + role.SuperuserConnectionString), timeout: Bound);
            Assert.True(created.ExitCode == 0, created.Output + created.Error);
        }

        // Shorter than the 30 s ask the start used to wait out before it ended in an unhandled AskTimeoutException.
        var result = await CliRunner.RunAsync(StoreCommand(command, "postgres:" + role.ConnectionString), timeout: TimeSpan.FromSeconds(20));

        AssertOneStoreErrorLine(result, $"postgres:{role.Described}", "42501: permission denied for ", RestrictedPostgresRole.Password);
        // The journal's own errors while the start failed (a stack trace each, every second) are not printed: the
        // error line says it once.
        Assert.DoesNotContain("[ERROR]", result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a directory")]
    [InlineData("under a file")]
    [InlineData("not a database")]
    public async Task Bulk_on_a_sqlite_path_that_cannot_be_opened_is_one_error_line_naming_it(string what)
    {
        var notes = File("notes.txt");
        await System.IO.File.WriteAllTextAsync(notes, "not a database");
        var path = what switch
        {
            "a directory" => Directory.CreateDirectory(File("outbox.db")).FullName,
            "under a file" => Path.Combine(notes, "outbox.db"),
            _ => notes,
        };

        var result = await CliRunner.RunAsync(StoreCommand("bulk", "sqlite:" + path), timeout: Bound);

        Assert.True(result.ExitCode == ExitCodes.Store, result.Output + result.Error);
        var line = Assert.Single(ErrorLines(result));
        Assert.StartsWith($"error: sqlite:{path} could not be opened: ", line, StringComparison.Ordinal);
        Assert.Equal("not a database", await System.IO.File.ReadAllTextAsync(notes));
    }

    [Theory]
    [InlineData("status", "postgres:Host=127.0.0.1;Port=abc;Password=secret-pw", "Couldn't set port")]
    [InlineData("bulk", "postgres:Host=127.0.0.1;Port=abc;Password=secret-pw", "Couldn't set port")]
    [InlineData("status", "postgres:Host=127.0.0.1;Passwrd=secret-pw", "passwrd")]
    [InlineData("bulk", "postgres:secret-pw", "does not conform")]
    public async Task A_postgres_connection_string_npgsql_cannot_read_is_a_usage_error(string command, string store, string reason)
    {
        var result = await CliRunner.RunAsync(StoreCommand(command, store), timeout: Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.Output + result.Error);
        var line = Assert.Single(ErrorLines(result));
        Assert.StartsWith("error: --store: 'postgres:' needs an Npgsql connection string", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status", "postgress:Host=127.0.0.1;Password=secret-pw", "got 'postgress:…'")]
    [InlineData("bulk", "postgress:Host=127.0.0.1;Password=secret-pw", "got 'postgress:…'")]
    [InlineData("status", "Host=db;Username=app;Password=secret-pw;Database=outbox", NoPrefix)]
    [InlineData("bulk", "Host=db;Username=app;Password=secret-pw;Database=outbox", NoPrefix)]
    [InlineData("status", "Host=db;Username=app;Password=secret:pw;Database=outbox", NoPrefix)]
    [InlineData("bulk", "Host=db;Username=app;Password=secret:pw;Database=outbox", NoPrefix)]
    public async Task A_mistyped_store_kind_is_a_usage_error_that_does_not_repeat_the_connection_string(string command, string store, string given)
    {
        var result = await CliRunner.RunAsync(StoreCommand(command, store), timeout: Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.Output + result.Error);
        var line = Assert.Single(ErrorLines(result));
        Assert.Equal($"error: --store: A store is 'sqlite:FILE' or 'postgres:CONNECTION-STRING'; {given}.", line);
        // Not even the part before a colon inside the password.
        Assert.DoesNotContain("secret", result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=", result.Output + result.Error, StringComparison.Ordinal);
    }

    private const string NoPrefix = "the value given starts with neither (not repeated here: it may hold a password)";

    private static string[] StoreCommand(string command, string store) => command == "status"
        ? ["status", "--store", store]
        : ["bulk", "--store", store, "--embedded-sink", "--no-progress", "--generate", "3"];

    /// <summary>
    /// A store that cannot be opened: exit 27, and one <c>error:</c> line that names the store as
    /// <paramref name="described"/> (no password) and gives <paramref name="cause"/>; <paramref name="password"/> nowhere.
    /// </summary>
    private static void AssertOneStoreErrorLine(CliRunner.Result result, string described, string cause, string password)
    {
        Assert.True(result.ExitCode == ExitCodes.Store, result.Output + result.Error);
        var line = Assert.Single(ErrorLines(result));
        Assert.StartsWith($"error: {described} could not be opened: ", line, StringComparison.Ordinal);
        Assert.Contains(cause, line, StringComparison.Ordinal);
        Assert.DoesNotContain(password, result.Output + result.Error, StringComparison.Ordinal);
    }

    private static string[] ErrorLines(CliRunner.Result result) =>
        result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Status_reads_the_counts_of_a_store_bulk_wrote()
    {
        var store = "sqlite:" + File("outbox.db");
        var bulk = await CliRunner.RunAsync(["bulk", "--store", store, "--embedded-sink", "--no-progress", "--generate", "3"], timeout: Bound);
        Assert.True(bulk.ExitCode == 0, bulk.Output + bulk.Error);

        var status = await CliRunner.RunAsync(["status", "--store", store, "--message", "gen-0000001"], timeout: Bound);

        Assert.True(status.ExitCode == 0, status.Output + status.Error);
        Assert.Contains("accepted=3 unfinished=0", status.Output, StringComparison.Ordinal);
        Assert.Contains("message gen-0000001", status.Output, StringComparison.Ordinal);
    }
}
