using System.Diagnostics;

namespace MailActors.Cli.Tests.Support;

/// <summary>A <c>mailactors</c> process left running (a sink): read its lines as they come, wait for its end.</summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reader;
    private readonly Task<string> _error;

    private CliProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        });
        _error = process.StandardError.ReadToEndAsync();
    }

    public static CliProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MailActors.Cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        return new CliProcess(Process.Start(start)!);
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Waits for a line containing <paramref name="text"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            lock (_lines)
            {
                var found = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
                if (found is not null)
                {
                    return found;
                }
            }
            if (_process.HasExited && _reader.IsCompleted)
            {
                break;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no line with '{text}'; output so far:\n{Output}\nstderr:\n{(_error.IsCompleted ? _error.Result : "")}");
    }

    /// <summary>Waits for the process to exit by itself; returns its exit code, output and error.</summary>
    public async Task<CliRunner.Result> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await _reader;
        return new CliRunner.Result(_process.ExitCode, Output, await _error);
    }

    /// <summary>Sends SIGTERM (as <c>kill</c> would) and waits for the clean exit.</summary>
    public async Task<CliRunner.Result> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
