using System.Diagnostics;
using MailActors.Outbox.Tests.Support;
using Xunit.Abstractions;

namespace MailActors.Outbox.Tests;

/// <summary>
/// The durability claim under real crashes: a bulk run of 20,000 messages into a recording sink is killed with SIGKILL
/// at random moments (during recovery, and after a random share of the deliveries) at least 10 times and restarted each time. At the end every
/// message was received at least once, and the duplicates stay within kills × the in-flight window.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int InFlight = 200;

    [Fact]
    public async Task Bulk_run_killed_repeatedly_loses_nothing_and_duplicates_stay_within_the_in_flight_window_on_sqlite()
    {
        using var store = new TempSqliteStore();
        await RunCrashScenarioAsync("sqlite:" + store.FilePath, messages: 20_000, minimumKills: 10, seed: Environment.TickCount);
    }

    [Fact]
    public async Task Bulk_run_killed_repeatedly_loses_nothing_on_postgresql()
    {
        await using var store = await TestStore.CreateAsync("postgres");
        await RunCrashScenarioAsync(store.Spec, messages: 6_000, minimumKills: 4, seed: Environment.TickCount);
    }

    private async Task RunCrashScenarioAsync(string storeSpec, int messages, int minimumKills, int seed)
    {
        var random = new Random(seed);
        output.WriteLine($"seed {seed}, store {storeSpec}");
        await using var sink = await RecordingSink.StartAsync();
        string[] arguments =
        [
            "bulk", "--store", storeSpec, "--host", "127.0.0.1", "--port", sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--generate", messages.ToString(System.Globalization.CultureInfo.InvariantCulture), "--size", "2048",
            "--sessions", "20", "--in-flight", InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-progress",
            // Paced, so a run cannot race past the kill: the sink that counts lives in this process, and when its
            // thread pool is busy the loop below may look late; at this rate a late look costs hundreds of messages,
            // not thousands.
            "--max-rate", "2500",
        ];
        var kills = 0;
        var clock = Stopwatch.StartNew();
        BulkProcess? final = null;
        while (final is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), "the crash scenario ran out of time");
            var run = BulkProcess.Start(arguments);
            if (kills >= minimumKills)
            {
                final = run;
                break;
            }
            try
            {
                // One kill in five lands during start-up and recovery; the others after a random share of the deliveries.
                // Progress, not time alone, decides: the run's speed differs between machines and minutes, and a fast
                // run finished before the minimum number of kills.
                var early = random.Next(5) == 0;
                var patience = early ? TimeSpan.FromMilliseconds(200 + random.Next(1200)) : TimeSpan.FromSeconds(10);
                if (!early)
                {
                    await run.Recovered.WaitAsync(TimeSpan.FromSeconds(60));
                }
                var target = sink.Received + 50 + random.Next(messages / 16);
                var waited = Stopwatch.StartNew();
                while (sink.Received < target && !run.HasExited && waited.Elapsed < patience)
                {
                    await Task.Delay(5);
                }
                if (run.HasExited)
                {
                    output.WriteLine($"run finished before its kill:\n{run.Output}");
                    Assert.Fail("the bulk run finished before the minimum number of kills; the scenario needs more messages");
                }
                await run.KillAsync();
                kills++;
                output.WriteLine($"kill {kills} at {clock.Elapsed.TotalSeconds:F1}s, sink has {sink.Received} messages");
            }
            finally
            {
                run.Dispose();
            }
        }
        using (final)
        {
            Assert.True(await final.WaitForExitAsync(TimeSpan.FromMinutes(3)), "the final run did not finish:\n" + final.Output);
            output.WriteLine(final.Output);
            Assert.Equal(0, final.ExitCode);
            Assert.Contains($"accepted={messages} delivered={messages}", final.Output, StringComparison.Ordinal);
            Assert.Contains("unfinished=0", final.Output, StringComparison.Ordinal);
        }

        var counts = sink.CountsById();
        var lost = Enumerable.Range(0, messages).Select(i => $"gen-{i:D7}").Where(id => !counts.ContainsKey(id)).ToList();
        var received = counts.Values.Sum();
        var duplicates = received - counts.Count;
        output.WriteLine($"crash test: kills={kills} accepted={messages} received={received} distinct={counts.Count} lost={lost.Count} duplicates={duplicates} bound={kills * InFlight} seconds={clock.Elapsed.TotalSeconds:F1}");
        Assert.Empty(lost);
        Assert.Equal(messages, counts.Count);
        Assert.True(kills >= minimumKills);
        Assert.InRange(duplicates, 0, kills * InFlight);
    }
}
