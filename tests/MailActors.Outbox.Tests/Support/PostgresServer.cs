using System.Diagnostics;

namespace MailActors.Outbox.Tests.Support;

/// <summary>
/// The private PostgreSQL cluster of <c>scripts/servers/postgres.sh</c> (127.0.0.1, port from ports.env), started once
/// per test run. A start failure fails the PostgreSQL tests with the script's output; they are never skipped.
/// </summary>
internal static class PostgresServer
{
    private static readonly Lazy<Task<string>> Started = new(StartAsync);

    /// <summary>The connection string without a database.</summary>
    public static Task<string> ConnectionStringAsync() => Started.Value;

    private static async Task<string> StartAsync()
    {
        var root = RepositoryRoot();
        await RunAsync(root, "install.sh");
        var output = await RunAsync(root, "postgres.sh");
        const string Marker = "MAILACTORS_POSTGRES=";
        var line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("postgres.sh did not announce its connection string:\n" + output);
        return line[Marker.Length..];
    }

    private static async Task<string> RunAsync(string root, string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(root, "scripts", "servers", script));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"scripts/servers/{script} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MailActors.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No MailActors.sln above {AppContext.BaseDirectory}.");
    }
}
