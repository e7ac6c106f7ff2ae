using System.Diagnostics;

namespace MailActors.Interop.Tests.Pop3;

/// <summary>
/// <c>dotnet MailActors.Cli.dll fetch ...</c> as a real process that a test can let finish or kill at any moment
/// (SIGKILL: no finally blocks, no flushing — what a power cut or an OOM kill does to the process).
/// </summary>
internal sealed class FetchProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;
    private int _storedLines;
    private volatile bool _deleting;

    private FetchProcess(Process process)
    {
        _process = process;
        _output = ReadOutputAsync(process.StandardOutput);
        _error = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Messages the process has reported as stored so far ("stored N file" lines).</summary>
    public int StoredLines => Volatile.Read(ref _storedLines);

    private async Task<string> ReadOutputAsync(StreamReader reader)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            all.AppendLine(line);
            if (line.StartsWith("stored ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _storedLines);
            }
            else if (line.StartsWith("deleting ", StringComparison.Ordinal))
            {
                _deleting = true;
            }
        }
        return all.ToString();
    }

    /// <summary>Waits until the process reported <paramref name="count"/> stored messages, ended, or the timeout passed.</summary>
    public Task WaitForStoredAsync(int count, TimeSpan timeout) => WaitUntilAsync(() => StoredLines >= count, timeout);

    /// <summary>Waits until the process announced its DELE batch, ended, or the timeout passed.</summary>
    public Task WaitForDeletingAsync(TimeSpan timeout) => WaitUntilAsync(() => _deleting, timeout);

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && !_process.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(2);
        }
    }

    public static FetchProcess Start(IEnumerable<string> arguments, string passwordVariable, string password)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MailActors.Cli.dll"));
        start.ArgumentList.Add("fetch");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[passwordVariable] = password;
        return new FetchProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Kills the process (and any child) at once and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // it had already exited
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for the process to end by itself; returns its exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output, string Error)> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"mailactors fetch did not finish within {timeout}.\n{await _output}\n{await _error}");
        }
        return (_process.ExitCode, await _output, await _error);
    }

    public void Dispose() => _process.Dispose();
}
