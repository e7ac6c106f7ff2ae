using System.Diagnostics;
using System.Text;

namespace MailActors.Interop.Tests.Infrastructure;

/// <summary>Runs the bash scripts under <c>scripts/servers/</c> and captures what they print.</summary>
internal static class ServerScripts
{
    /// <summary>Outcome of one script run.</summary>
    internal sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <summary>Everything the script printed, for failure messages.</summary>
        public string Transcript => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
    }

    /// <summary>Runs <c>bash scripts/servers/<paramref name="script"/></c> from <paramref name="repositoryRoot"/>.</summary>
    public static async Task<Result> RunAsync(string repositoryRoot, string script, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(repositoryRoot, "scripts", "servers", script));

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start bash for {script}");
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var readOut = PumpAsync(process.StandardOutput, stdout);
        var readErr = PumpAsync(process.StandardError, stderr);

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await Task.WhenAll(readOut, readErr);
            return new Result(-1, stdout.ToString(), $"{stderr}\n(timed out after {timeout})");
        }

        await Task.WhenAll(readOut, readErr);
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            sink.AppendLine(line);
        }
    }
}
