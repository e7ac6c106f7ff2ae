using MailActors.Load;
using MailActors.Protocol.Integrity;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;

namespace MailActors.Tests.Load;

/// <summary>The load engine against the in-process sink: the report's numbers are what the sink counted.</summary>
public sealed class LoadRunSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private static LoadOptions Options(SmtpTestServer server, int sessions, long messages) => new()
    {
        Session = SettingsFor(server),
        Sessions = sessions,
        Messages = messages,
    };

    private async Task<LoadReport> RunAsync(LoadOptions options) =>
        await LoadRun.Start(Sys, options).Completion.WaitAsync(RunTimeout);

    private static void AssertMatchesSink(LoadReport report, SmtpTestServer server)
    {
        Assert.Equal(server.MessagesReceived, report.Delivered);
        Assert.Equal(server.BytesReceived, report.Bytes);
        Assert.Equal(server.RecipientsAccepted, report.RecipientsAccepted);
        Assert.Equal(
            string.Join(" ", server.RepliesByCode.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}")),
            string.Join(" ", report.RepliesByCode.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}")));
        var negativeBySink = server.RepliesByCode.Where(p => p.Key >= 400).Sum(p => p.Value);
        var negativeInReport = report.Errors.Where(e => int.TryParse(e.What, out _)).Sum(e => e.Count);
        Assert.Equal(negativeBySink, negativeInReport);
    }

    [Fact]
    public async Task Closed_loop_sends_every_message_and_the_report_matches_the_sink()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        var report = await RunAsync(Options(server, sessions: 5, messages: 300));

        Assert.Null(report.AbortReason);
        Assert.Equal(300, report.Attempted);
        Assert.Equal(300, report.Delivered);
        Assert.Equal(0, report.Failed);
        Assert.Equal(5, report.ConnectionsOpened);
        Assert.Equal(5, server.SessionsOpened);
        AssertMatchesSink(report, server);
        Assert.Equal(300, report.MessageLatency.Count);
        foreach (var step in new[] { "connect", "banner", "EHLO", "MAIL", "RCPT", "DATA", "DOT", "QUIT" })
        {
            Assert.Contains(report.Steps, s => s.Name == step && s.Count > 0);
        }
        Assert.Equal(300, report.Steps.Single(s => s.Name == "MAIL").Count);
        Assert.Equal(300, report.Timeline.Sum(s => s.Delivered));
    }

    [Fact]
    public async Task Injected_faults_show_up_as_the_same_errors_by_code_as_the_sink_sent()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions
        {
            Record = false,
            Faults =
            [
                .. FaultSpec.Parse("RCPT:reply:451 4.3.0 try later;every=3"),
                .. FaultSpec.Parse(".:reply:554 5.7.1 rejected by policy;every=5"),
                .. FaultSpec.Parse("MAIL:reply:421 4.7.0 closing;every=17"),
                .. FaultSpec.Parse("DATA:disconnect;every=23"),
            ],
        });

        var report = await RunAsync(Options(server, sessions: 4, messages: 400) with { Message = new LoadMessageOptions { Recipients = 2 } });

        Assert.Null(report.AbortReason);
        Assert.Equal(400, report.Attempted);
        Assert.Equal(400, report.Delivered + report.Failed);
        Assert.True(report.Failed > 0);
        AssertMatchesSink(report, server);
        Assert.Equal(server.RepliesByCode[451], report.Errors.Single(e => e is { Phase: "RCPT", What: "451" }).Count);
        Assert.Equal(server.RepliesByCode[554], report.Errors.Single(e => e is { Phase: "DOT", What: "554" }).Count);
        Assert.Equal(server.RepliesByCode[421], report.Errors.Single(e => e is { Phase: "MAIL", What: "421" }).Count);
        Output?.WriteLine(string.Join("\n", report.Errors));
        Assert.True(report.Errors.Single(e => e is { Phase: "DATA", What: "disconnect" }).Count > 0);
        Assert.True(report.ConnectionsOpened > 4, "421 and disconnects force new connections");
        Assert.Equal(server.SessionsOpened, report.ConnectionsOpened);
    }

    [Fact]
    public async Task Messages_carry_unique_ids_counters_and_a_valid_digest()
    {
        var server = await StartServerAsync();
        var options = Options(server, sessions: 3, messages: 30) with
        {
            Message = new LoadMessageOptions
            {
                From = "sender{s}@example.test",
                To = "user{n%4}.{r}@example.test",
                Recipients = 2,
                Size = SizeDistribution.Parse("100:1,5000:1"),
            },
        };

        var report = await RunAsync(options);

        Assert.Equal(30, report.Delivered);
        var messages = server.Messages;
        Assert.Equal(30, messages.Count);
        Assert.All(messages, m => Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(m.Data.Span)));
        Assert.Equal(30, messages.Select(m => m.DataText.Split("Message-ID: ")[1].Split("\r\n")[0]).Distinct().Count());
        Assert.All(messages, m => Assert.Matches(@"^sender[1-3]@example\.test$", m.Envelope.MailFrom));
        Assert.All(messages, m => Assert.Equal(["1", "2"], m.Envelope.Recipients.Select(r => r.Address.Split('.')[1].Split('@')[0])));
        Assert.Equal(4, messages.SelectMany(m => m.Envelope.Recipients).Select(r => r.Address.Split('.')[0]).Distinct().Count());
        var bodySizes = messages.Select(m => m.Data.Length - m.DataText.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4).Distinct().Order().ToArray();
        Assert.Equal([100, 5000], bodySizes);
    }

    [Fact]
    public async Task One_message_per_connection_opens_a_connection_per_message()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        var report = await RunAsync(Options(server, sessions: 3, messages: 25) with { MessagesPerConnection = 1, ConnectRate = 500 });

        Assert.Equal(25, report.Delivered);
        Assert.Equal(25, report.ConnectionsOpened);
        Assert.Equal(25, server.SessionsOpened);
        Assert.Equal(25, report.Steps.Single(s => s.Name == "QUIT").Count);
        AssertMatchesSink(report, server);
    }

    [Fact]
    public async Task With_pipelining_the_next_envelope_rides_with_the_content_and_the_connection_share_holds()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });
        var transcript = new MailActors.Diagnostics.CollectingTranscript();

        var report = await RunAsync(Options(server, sessions: 2, messages: 50) with { MessagesPerConnection = 7, FirstConnectionTranscript = transcript });

        Assert.Equal(50, report.Delivered);
        Assert.Equal(0, report.Failed);
        Assert.Equal(8, report.ConnectionsOpened); // 7 + 7 + ... + 1: no connection carried more than its share
        Assert.Equal(8, server.SessionsOpened);
        AssertMatchesSink(report, server);
        // On the first connection, some MAIL went out after a content's dot and before that content's final reply.
        var lines = transcript.Lines;
        var rode = lines.Select((line, i) => (line, i)).Count(x =>
            x.line.Direction == MailActors.Diagnostics.TranscriptDirection.Client && x.line.Line.StartsWith("MAIL", StringComparison.Ordinal)
            && x.i > 0 && lines[x.i - 1].Line == ".");
        Assert.True(rode > 0, transcript.ToString()); // usually 6 of 6; the first may miss while the window fills
        // Seen once in a loaded CI run (4 instead of 7, every other assertion above holding) and not reproduced since:
        // the message carries what is needed to tell a short first connection from lines missing in the transcript.
        var mails = lines.Count(l => l.Direction == MailActors.Diagnostics.TranscriptDirection.Client && l.Line.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.True(mails == 7, $"{mails} MAIL commands on the first connection, expected 7; errors: {string.Join(", ", report.Errors)}; "
            + $"replies: {string.Join(" ", report.RepliesByCode.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}"))}\n{transcript}");
    }

    [Fact]
    public async Task Without_pipelining_the_steps_run_in_turn_and_counts_still_match()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false, Faults = FaultSpec.Parse("RCPT:reply:550 5.1.1 unknown;every=4") });

        var report = await RunAsync(Options(server, sessions: 2, messages: 40) with { Session = SettingsFor(server) with { UsePipelining = false } });

        Assert.Equal(40, report.Delivered + report.Failed);
        Assert.Equal(10, report.Failed);
        AssertMatchesSink(report, server);
    }

    [Fact]
    public async Task Chunking_sends_bdat_and_the_sink_counts_the_same_bytes()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        var report = await RunAsync(Options(server, sessions: 2, messages: 20) with { Session = SettingsFor(server) with { PreferChunking = true } });

        Assert.Equal(20, report.Delivered);
        Assert.Equal(20, report.Steps.Single(s => s.Name == "BDAT").Count);
        AssertMatchesSink(report, server);
    }

    [Fact]
    public async Task Duration_bound_ends_a_closed_loop_run()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        var report = await RunAsync(new LoadOptions { Session = SettingsFor(server), Sessions = 2, Duration = TimeSpan.FromSeconds(1) });

        Assert.Null(report.AbortReason);
        Assert.True(report.Delivered > 0);
        Assert.Equal(report.Attempted, report.Delivered);
        AssertMatchesSink(report, server);
    }

    [Fact]
    public async Task Hold_mode_keeps_sessions_open_without_sending_mail()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });

        // The run is ended by Stop once all 40 are held, not by a short duration: on a loaded machine the connect ramp
        // could outlast the duration, and the sessions that came late would quit before the others were all there.
        var run = LoadRun.Start(Sys, new LoadOptions { Session = SettingsFor(server), Sessions = 40, Hold = true, Duration = TimeSpan.FromMinutes(5), ConnectRate = 400 });
        await AwaitConditionAsync(() => Task.FromResult(server.SessionsActive == 40), TimeSpan.FromSeconds(20));
        run.Stop();
        var report = await run.Completion.WaitAsync(RunTimeout);

        Assert.Equal("stopped", report.AbortReason);
        Assert.Equal(40, report.PeakSessions);
        Assert.Equal(40, report.ConnectionsOpened);
        Assert.Equal(0, report.Attempted);
        Assert.Equal(0, server.MessagesReceived);
        Assert.Equal(40, report.Steps.Single(s => s.Name == "EHLO").Count);
    }

    [Fact]
    public async Task A_server_that_is_not_there_ends_the_run_with_a_reason()
    {
        var server = await StartServerAsync();
        var settings = SettingsFor(server);
        await server.DisposeAsync();

        var report = await RunAsync(new LoadOptions { Session = settings, Sessions = 2, Messages = 10, MaxConsecutiveConnectFailures = 4 });

        Assert.NotNull(report.AbortReason);
        Assert.Equal(0, report.Delivered);
        Assert.True(report.ConnectionsFailed >= 4);
        Assert.Contains(report.Errors, e => e is { Phase: "connect", What: "refused" });
    }

    [Fact]
    public async Task Implicit_tls_against_a_plaintext_server_counts_as_tls_errors()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { StartTls = false });
        var settings = SettingsFor(server) with { Connection = Loopback(server.Port) with { ImplicitTls = true, ConnectTimeout = TimeSpan.FromSeconds(5) } };

        var report = await RunAsync(new LoadOptions { Session = settings, Sessions = 2, Messages = 10, MaxConsecutiveConnectFailures = 4 });

        Assert.NotNull(report.AbortReason);
        Assert.Equal(0, report.Delivered);
        Assert.Equal(report.ConnectionsFailed, report.Errors.Where(e => e is { Phase: "connect", What: "tls" }).Sum(e => e.Count));
    }

    [Fact]
    public void A_run_without_a_bound_is_refused()
    {
        var options = new LoadOptions { Session = new SmtpSessionSettings { Connection = new Transport.ConnectionSpec { Hosts = [], DefaultPort = 25 } } };

        var error = Assert.Throws<ArgumentException>(() => LoadRun.Start(Sys, options));
        Assert.Contains("bound", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LoadRun.Start(Sys, options with { Hold = true, Messages = 5 }));
    }

    [Fact]
    public void Hold_with_a_rate_is_refused()
    {
        var options = new LoadOptions
        {
            Session = new SmtpSessionSettings { Connection = new Transport.ConnectionSpec { Hosts = [], DefaultPort = 25 } },
            Hold = true,
            Rate = 10,
            Duration = TimeSpan.FromSeconds(1),
        };

        var error = Assert.Throws<ArgumentException>(() => LoadRun.Start(Sys, options));
        Assert.Contains("no rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_ends_a_run_early_and_reports_what_was_done()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });
        var run = LoadRun.Start(Sys, new LoadOptions { Session = SettingsFor(server), Sessions = 2, Duration = TimeSpan.FromMinutes(5) });
        await AwaitConditionAsync(() => Task.FromResult(server.MessagesReceived > 20), TimeSpan.FromSeconds(10));

        run.Stop();
        var report = await run.Completion.WaitAsync(RunTimeout);

        Assert.Equal("stopped", report.AbortReason);
        Assert.Equal(LoadAbortKind.Stopped, report.AbortKind);
        AssertMatchesSink(report, server);
    }

    [Fact]
    public async Task Stop_with_a_drain_time_cuts_a_stalled_session_off_after_that_time_not_the_runs()
    {
        // The server holds the end of data for a minute; the run's own drain time is 30 s.
        var server = await StartServerAsync(new SmtpTestServerOptions
        {
            Record = false,
            Faults = [FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromMinutes(1)))],
        });
        var settings = SettingsFor(server) with { CommandTimeout = TimeSpan.FromMinutes(2) };
        var run = LoadRun.Start(Sys, new LoadOptions { Session = settings, Sessions = 1, Messages = 5 });
        // 354 to DATA: the content is on its way and its end is the one held.
        await AwaitConditionAsync(() => Task.FromResult(server.RepliesByCode.GetValueOrDefault(354) == 1), TimeSpan.FromSeconds(10));

        run.Stop(TimeSpan.FromMilliseconds(300));
        var report = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        // Pipelined, the session may hold messages behind the stalled one: all of them were cut off, none delivered.
        Assert.Equal(LoadAbortKind.Stopped, report.AbortKind);
        Assert.Equal(0, report.Delivered);
        Assert.Equal(report.Attempted, report.Failed);
        Assert.Equal(report.Attempted, report.Errors.Single(e => e is { Phase: "drain", What: "cut-off" }).Count);
    }
}
