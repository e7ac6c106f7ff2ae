using MailActors.Load;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;

namespace MailActors.Tests.Load;

/// <summary>
/// The open loop keeps its schedule and measures latency from each message's scheduled time, so a stalled server
/// shows in the percentiles instead of slowing the generator down (no coordinated omission).
/// </summary>
public sealed class OpenLoopSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    [Fact]
    public async Task At_1000_messages_a_second_for_10_seconds_the_achieved_rate_is_within_2_percent()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        var report = await LoadRun.Start(Sys, new LoadOptions
        {
            Session = SettingsFor(server),
            Sessions = 20,
            Rate = 1000,
            Duration = TimeSpan.FromSeconds(10),
        }).Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Null(report.AbortReason);
        Assert.Equal(10_000, report.Attempted);
        Assert.Equal(10_000, report.Delivered);
        Assert.Equal(10_000, server.MessagesReceived);
        Assert.InRange(report.MessagesPerSecond, 980, 1020);
    }

    [Fact]
    public async Task When_the_sink_stalls_the_p99_latency_shows_the_stall()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });
        var stall = TimeSpan.FromSeconds(1);
        // 5 s of schedule: the stall and the catch-up after it touch about a quarter of the messages (well above 1%,
        // well below half), so p99 must show the stall and p50 must not, however slowly the backlog drains.
        var run = LoadRun.Start(Sys, new LoadOptions { Session = SettingsFor(server), Sessions = 4, Rate = 200, Messages = 1000 });

        await AwaitConditionAsync(() => Task.FromResult(server.MessagesReceived >= 100), TimeSpan.FromSeconds(10));
        // Every command is held for a second while the rule is in: the whole server stands still.
        var rule = server.Faults.Add(FaultRule.On(FaultCommands.Any, FaultAction.Delay(stall)));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        server.Faults.Remove(rule);
        var report = await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1000, report.Delivered);
        // Messages due during the stall waited for it: more than 1% of them, so p99 is at least the stall.
        Assert.True(report.MessageLatency.P99 >= stall.TotalMilliseconds * 0.9, $"p99 {report.MessageLatency.P99} ms");
        Assert.True(report.MessageLatency.P50 < stall.TotalMilliseconds / 2, $"p50 {report.MessageLatency.P50} ms");
    }

    [Fact]
    public async Task Messages_the_schedule_made_due_but_never_sent_count_as_attempted_and_failed_with_their_wait()
    {
        // One session at 400 ms a message cannot keep 20 a second: most of the 40 are still waiting when the drain ends.
        var server = await StartServerAsync(new SmtpTestServerOptions
        {
            Record = false,
            Faults = [FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromMilliseconds(400)))],
        });
        var drain = TimeSpan.FromSeconds(1);

        var report = await LoadRun.Start(Sys, new LoadOptions { Session = SettingsFor(server), Sessions = 1, Rate = 20, Messages = 40, DrainTimeout = drain })
            .Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(LoadAbortKind.FellBehindSchedule, report.AbortKind);
        Assert.Equal(40, report.Attempted);
        Assert.Equal(report.Attempted, report.Delivered + report.Failed);
        Assert.Equal(40, report.MessageLatency.Count);
        Assert.Equal(server.MessagesReceived, report.Delivered);
        var notSent = report.Errors.Single(e => e is { Phase: "schedule", What: "not-sent" }).Count;
        var cutOff = report.Errors.Where(e => e is { Phase: "drain", What: "cut-off" }).Sum(e => e.Count);
        Assert.Equal(report.Failed, notSent + cutOff);
        Assert.True(notSent > 20, $"{notSent} not sent");
        // The last message was due 1.95 s in and the schedule ended 3 s in (2 s of schedule, then the drain): it waited
        // the drain time at least, and the tail must show it.
        Assert.True(report.MessageLatency.Max >= drain.TotalMilliseconds, $"max {report.MessageLatency.Max} ms");
    }

    [Fact]
    public async Task With_a_count_and_a_duration_the_schedule_ends_at_the_duration_when_that_comes_first()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        // 100 000 messages at 50 a second would take over half an hour; the one-second duration must end the schedule.
        var report = await LoadRun.Start(Sys, new LoadOptions
        {
            Session = SettingsFor(server),
            Sessions = 2,
            Rate = 50,
            Messages = 100_000,
            Duration = TimeSpan.FromSeconds(1),
        }).Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Null(report.AbortReason);
        Assert.Equal(50, report.Header.PlannedMessages);
        Assert.Equal(50, report.Attempted);
        Assert.Equal(50, report.Delivered);
        Assert.Equal(50, server.MessagesReceived);
    }

    [Fact]
    public async Task With_a_count_and_a_duration_the_schedule_ends_at_the_count_when_that_comes_first()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        var report = await LoadRun.Start(Sys, new LoadOptions
        {
            Session = SettingsFor(server),
            Sessions = 2,
            Rate = 100,
            Messages = 20,
            Duration = TimeSpan.FromMinutes(10),
        }).Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Null(report.AbortReason);
        Assert.Equal(20, report.Header.PlannedMessages);
        Assert.Equal(20, report.Delivered);
        Assert.Equal(20, server.MessagesReceived);
    }
}
