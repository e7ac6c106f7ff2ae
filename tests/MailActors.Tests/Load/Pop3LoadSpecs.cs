using MailActors.Load;
using MailActors.Pop3;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;

namespace MailActors.Tests.Load;

/// <summary>The POP3 read load against the in-process POP3 server: what it retrieved, deleted and verified.</summary>
public sealed class Pop3LoadSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private static byte[][] Messages(int count, int size = 500)
    {
        var factory = new LoadMessageFactory(new LoadMessageOptions { Size = SizeDistribution.Fixed(size) });
        return [.. Enumerable.Range(1, count).Select(n => factory.ContentBytes(n, 1))];
    }

    private static async Task<Pop3TestServer> StartAsync(
        int users, int messagesEach, Func<int, IEnumerable<byte[]>>? extra = null, bool startTls = true, bool apop = true, IReadOnlyList<FaultRule>? faults = null)
    {
        var names = Enumerable.Range(1, users).Select(i => $"load{i}").ToList();
        return await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = names.ToDictionary(n => n, _ => "secret"),
            Mailboxes = names.Select((n, i) => (n, Pop3Mailbox.InMemory(Messages(messagesEach).Concat(extra?.Invoke(i + 1) ?? []))))
                .ToDictionary(p => p.n, p => p.Item2),
            StartTls = startTls,
            Apop = apop,
            Faults = faults ?? [],
            Record = false,
        });
    }

    private static Pop3LoadOptions Options(Pop3TestServer server, int sessions, long? messages) => new()
    {
        Session = new Pop3SessionSettings
        {
            Connection = new ConnectionSpec
            {
                Hosts = [new ServerAddress("127.0.0.1", server.Port)],
                DefaultPort = server.Port,
                Tls = new TlsOptions { TrustedCertificates = [server.Certificate], TargetHost = "localhost" },
            },
            LoginMethod = Pop3LoginMethod.UserPass,
            AllowCleartextAuthentication = true,
            CommandTimeout = TimeSpan.FromSeconds(5),
        },
        User = "load{s}",
        Password = "secret",
        Sessions = sessions,
        Messages = messages,
    };

    [Fact]
    public async Task Sessions_log_in_list_and_retrieve_and_every_digest_is_checked()
    {
        await using var server = await StartAsync(users: 3, messagesEach: 20);

        var report = await LoadRun.StartPop3(Sys, Options(server, sessions: 3, messages: 45)).Completion.WaitAsync(RunTimeout);

        Assert.Null(report.AbortReason);
        Assert.Equal("pop3", report.Header.Protocol);
        Assert.Equal(45, report.Delivered);
        Assert.Equal(45, server.MessagesRetrieved);
        Assert.Equal(new IntegrityCounts(45, 0, 0), report.Integrity);
        foreach (var step in new[] { "connect", "CAPA", "PASS", "STAT", "LIST", "UIDL", "RETR", "QUIT" })
        {
            Assert.Contains(report.Steps, s => s.Name == step && s.Count > 0);
        }
        Assert.Equal(45, report.Steps.Single(s => s.Name == "RETR").Count);
        Assert.Equal(45, report.MessageLatency.Count);
        Assert.True(report.Bytes > 45 * 500);
    }

    [Fact]
    public async Task Reading_whole_mailboxes_again_and_again_counts_messages_without_a_digest()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 3, extra: _ => ["Subject: plain\r\n\r\nno digest\r\n"u8.ToArray()]);

        var report = await LoadRun.StartPop3(Sys, Options(server, sessions: 1, messages: 8)).Completion.WaitAsync(RunTimeout);

        Assert.Equal(8, report.Delivered);
        Assert.Equal(2, report.ConnectionsOpened); // 4 messages per connection: two passes over the mailbox
        Assert.Equal(new IntegrityCounts(6, 2, 0), report.Integrity);
    }

    [Fact]
    public async Task Delete_removes_what_was_retrieved_and_quit_commits_it()
    {
        await using var server = await StartAsync(users: 2, messagesEach: 10);

        var report = await LoadRun.StartPop3(Sys, Options(server, sessions: 2, messages: 20) with { Delete = true, MessagesPerConnection = 4 }).Completion.WaitAsync(RunTimeout);

        Assert.Equal(20, report.Delivered);
        Assert.Equal(20, report.Steps.Single(s => s.Name == "DELE").Count);
        Assert.Equal(20, server.DeletionsCommitted);
        Assert.Empty(server.GetMailbox("load1").Messages);
        Assert.Empty(server.GetMailbox("load2").Messages);
        Assert.True(report.ConnectionsOpened >= 6, "4 messages per connection");
    }

    [Fact]
    public async Task A_changed_message_is_reported_as_a_mismatch()
    {
        var tampered = Messages(1)[0];
        tampered[^3] ^= 0x20;
        await using var server = await StartAsync(users: 1, messagesEach: 2, extra: _ => [tampered]);

        var report = await LoadRun.StartPop3(Sys, Options(server, sessions: 1, messages: 3)).Completion.WaitAsync(RunTimeout);

        Assert.Equal(new IntegrityCounts(2, 0, 1), report.Integrity);
    }

    [Fact]
    public async Task Starttls_is_its_own_step()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 5);
        var options = Options(server, sessions: 1, messages: 5);

        var report = await LoadRun.StartPop3(Sys, options with { Session = options.Session with { TlsMode = TlsMode.StartTls, AllowCleartextAuthentication = false } })
            .Completion.WaitAsync(RunTimeout);

        Assert.Equal(5, report.Delivered);
        Assert.Contains(report.Steps, s => s.Name == "STLS");
    }

    [Fact]
    public async Task Empty_mailboxes_end_a_counted_run_with_a_reason()
    {
        await using var server = await StartAsync(users: 2, messagesEach: 0);

        var report = await LoadRun.StartPop3(Sys, Options(server, sessions: 2, messages: 10) with { MaxConsecutiveEmptyMailboxes = 4 }).Completion.WaitAsync(RunTimeout);

        Assert.NotNull(report.AbortReason);
        Assert.Equal(0, report.Delivered);
        Assert.True(report.Errors.Single(e => e is { Phase: "STAT", What: "empty" }).Count >= 4);
    }

    [Fact]
    public async Task A_wrong_password_ends_the_run_instead_of_retrying_for_ever()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 3);

        var report = await LoadRun.StartPop3(Sys, Options(server, sessions: 1, messages: 3) with { Password = "wrong", MaxConsecutiveConnectFailures = 3 }).Completion.WaitAsync(RunTimeout);

        Assert.NotNull(report.AbortReason);
        Assert.Equal(0, report.Delivered);
        Assert.Equal(3, report.Errors.Where(e => e.Phase == "PASS").Sum(e => e.Count));
        Assert.Equal(0, server.MessagesRetrieved);
    }

    [Fact]
    public async Task A_duration_bound_ends_the_run()
    {
        await using var server = await StartAsync(users: 2, messagesEach: 5);

        var report = await LoadRun.StartPop3(Sys, Options(server, sessions: 2, messages: null) with { Duration = TimeSpan.FromMilliseconds(700) }).Completion.WaitAsync(RunTimeout);

        Assert.Null(report.AbortReason);
        Assert.True(report.Delivered > 10);
        Assert.Equal(report.Delivered, server.MessagesRetrieved);
    }

    [Fact]
    public void A_run_without_a_bound_is_refused() =>
        Assert.Throws<ArgumentException>(() => LoadRun.StartPop3(Sys, new Pop3LoadOptions
        {
            Session = new Pop3SessionSettings { Connection = new ConnectionSpec { Hosts = [], DefaultPort = 110 } },
            User = "u",
            Password = "p",
        }));

    [Fact]
    public async Task Starttls_when_available_goes_on_without_tls_when_capa_does_not_list_it()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 3, startTls: false);
        var options = Options(server, sessions: 1, messages: 3);

        var report = await LoadRun.StartPop3(Sys, options with { Session = options.Session with { TlsMode = TlsMode.StartTlsWhenAvailable } })
            .Completion.WaitAsync(RunTimeout);

        Assert.Null(report.AbortReason);
        Assert.Equal(3, report.Delivered);
        Assert.DoesNotContain(report.Steps, s => s.Name == "STLS");
        Assert.Empty(report.Errors);
    }

    /// <summary>
    /// A run of 3 messages over one session that fails every time the same way: it must give up after 3 failures in a
    /// row, with a reason and nothing retrieved.
    /// </summary>
    private async Task<LoadReport> RunThatGivesUp(Pop3TestServer server, Func<Pop3SessionSettings, Pop3SessionSettings>? session = null)
    {
        var options = Options(server, sessions: 1, messages: 3) with { MaxConsecutiveConnectFailures = 3 };

        var report = await LoadRun.StartPop3(Sys, options with { Session = session is null ? options.Session : session(options.Session) })
            .Completion.WaitAsync(RunTimeout);

        Assert.NotNull(report.AbortReason);
        Assert.Equal(0, report.Delivered);
        return report;
    }

    [Fact]
    public async Task A_required_starttls_the_server_does_not_list_ends_the_run()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 3, startTls: false);

        var report = await RunThatGivesUp(server, session => session with { TlsMode = TlsMode.StartTls });

        Assert.Contains("STLS", report.AbortReason, StringComparison.Ordinal);
        Assert.Equal(3, report.Errors.Where(e => e is { Phase: "STLS", What: "not-supported:STLS" }).Sum(e => e.Count));
    }

    [Fact]
    public async Task A_required_starttls_is_sent_even_when_capa_is_refused()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 3, faults: [FaultRule.On("CAPA", FaultAction.Reply("-ERR no CAPA here"))]);
        var options = Options(server, sessions: 1, messages: 3);

        var report = await LoadRun.StartPop3(Sys, options with { Session = options.Session with { TlsMode = TlsMode.StartTls } })
            .Completion.WaitAsync(RunTimeout);

        Assert.Null(report.AbortReason);
        Assert.Equal(3, report.Delivered);
        Assert.Contains(report.Steps, s => s is { Name: "STLS", Count: > 0 });
    }

    [Fact]
    public async Task A_login_the_client_will_not_send_in_cleartext_ends_the_run()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 3, startTls: false);

        var report = await RunThatGivesUp(server, session => session with { AllowCleartextAuthentication = false });

        Assert.Equal(3, report.Errors.Where(e => e is { Phase: "PASS", What: "refused" }).Sum(e => e.Count));
        Assert.Equal(0, server.LoginsSucceeded);
    }

    [Theory]
    [InlineData(false)] // STAT answered -ERR
    [InlineData(true)] // the connection dropped at STAT
    public async Task Sessions_that_log_in_but_always_fail_before_a_retrieval_end_the_run(bool drop)
    {
        var fault = drop ? FaultAction.DisconnectBeforeReply() : FaultAction.Reply("-ERR [SYS/TEMP] mailbox unavailable");
        await using var server = await StartAsync(users: 1, messagesEach: 3, faults: [FaultRule.On("STAT", fault)]);

        var report = await RunThatGivesUp(server);

        Assert.Contains("before retrieving anything", report.AbortReason, StringComparison.Ordinal);
        Assert.Equal(3, report.Errors.Where(e => e.Phase == "STAT").Sum(e => e.Count));
    }

    [Fact]
    public async Task Apop_against_a_greeting_without_a_timestamp_ends_the_run()
    {
        await using var server = await StartAsync(users: 1, messagesEach: 3, apop: false);

        var report = await RunThatGivesUp(server, session => session with { LoginMethod = Pop3LoginMethod.Apop });

        Assert.Equal(3, report.Errors.Where(e => e is { Phase: "APOP", What: "not-supported:APOP" }).Sum(e => e.Count));
    }
}
