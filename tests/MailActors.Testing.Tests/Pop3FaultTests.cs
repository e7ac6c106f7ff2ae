namespace MailActors.Testing.Tests;

public sealed class Pop3FaultTests
{
    private static Task<Pop3TestServer> StartAsync(params FaultRule[] faults) => Pop3TestServer.StartAsync(new Pop3TestServerOptions
    {
        Users = new Dictionary<string, string> { ["alice"] = "s3cret" },
        Mailboxes = new Dictionary<string, Pop3Mailbox> { ["alice"] = Pop3Mailbox.InMemory(["Subject: a\r\n\r\nbody\r\n"u8.ToArray()]) },
        Faults = faults,
    });

    private static async Task<RawClient> LoginAsync(Pop3TestServer server)
    {
        var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.Pop3CommandAsync("USER alice");
        Assert.Equal("+OK Logged in.", await client.Pop3CommandAsync("PASS s3cret"));
        return client;
    }

    [Fact]
    public async Task Err_reply_at_retr_replaces_the_message()
    {
        await using var server = await StartAsync(new FaultRule { Command = FaultCommands.Retr, Action = FaultAction.Reply("-ERR [SYS/TEMP] try later"), Times = 1 });
        await using var client = await LoginAsync(server);
        Assert.Equal("-ERR [SYS/TEMP] try later", await client.Pop3CommandAsync("RETR 1"));
        Assert.StartsWith("+OK", await client.Pop3CommandAsync("RETR 1"), StringComparison.Ordinal);
        Assert.Equal(["Subject: a", "", "body"], await client.ReadMultilineAsync());
    }

    [Fact]
    public async Task In_use_reply_at_pass_refuses_the_login()
    {
        await using var server = await StartAsync(FaultRule.On(FaultCommands.Pass, FaultAction.Reply("-ERR [IN-USE] locked elsewhere")));
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.Pop3CommandAsync("USER alice");
        Assert.Equal("-ERR [IN-USE] locked elsewhere", await client.Pop3CommandAsync("PASS s3cret"));
        Assert.Equal("-ERR Not logged in", await client.Pop3CommandAsync("STAT"));
    }

    [Fact]
    public async Task Rejected_greeting_answers_only_quit()
    {
        await using var server = await StartAsync(FaultRule.On(FaultCommands.Connect, FaultAction.Reply("-ERR [SYS/TEMP] maintenance")));
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("-ERR [SYS/TEMP] maintenance", await client.ReadLineAsync());
        Assert.StartsWith("-ERR", await client.Pop3CommandAsync("USER alice"), StringComparison.Ordinal);
        Assert.Equal("+OK Bye", await client.Pop3CommandAsync("QUIT"));
    }

    [Fact]
    public async Task Disconnect_at_quit_before_reply_commits_nothing()
    {
        await using var server = await StartAsync(FaultRule.On(FaultCommands.Quit, FaultAction.DisconnectBeforeReply()));
        await using var client = await LoginAsync(server);
        await client.Pop3CommandAsync("DELE 1");
        await client.SendAsync("QUIT\r\n");
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal("", remainder);
        await Eventually.TrueAsync(() => server.SessionsActive == 0, "the session ends");
        Assert.Single(server.GetMailbox("alice").Messages);
        Assert.Equal(0, server.DeletionsCommitted);
    }

    [Fact]
    public async Task Disconnect_at_quit_after_executing_commits_without_telling_the_client()
    {
        await using var server = await StartAsync(FaultRule.On(FaultCommands.Quit, FaultAction.Disconnect(DisconnectPoint.AfterExecutingWithoutReply)));
        await using var client = await LoginAsync(server);
        await client.Pop3CommandAsync("DELE 1");
        await client.SendAsync("QUIT\r\n");
        var (_, remainder) = await client.ReadToEndAsync();
        Assert.Equal("", remainder);
        await Eventually.TrueAsync(() => server.DeletionsCommitted == 1, "the deletion was committed");
        Assert.Empty(server.GetMailbox("alice").Messages);
    }

    [Fact]
    public async Task Endless_multiline_listing_never_terminates()
    {
        await using var server = await StartAsync(FaultRule.On(FaultCommands.List, FaultAction.UnterminatedMultiline()));
        await using var client = await LoginAsync(server);
        Assert.StartsWith("+OK", await client.Pop3CommandAsync("LIST"), StringComparison.Ordinal);
        for (var i = 0; i < 20_000; i++)
        {
            var line = await client.ReadLineAsync();
            Assert.NotNull(line);
            Assert.NotEqual(".", line);
        }
    }

    [Fact]
    public async Task Unterminated_retr_stalls_after_the_given_lines()
    {
        await using var server = await StartAsync(FaultRule.On(FaultCommands.Retr, FaultAction.UnterminatedMultiline(lineCount: 5)));
        await using var client = await LoginAsync(server);
        await client.SendAsync("RETR 1\r\n");
        client.ShutdownSend();
        var (_, remainder) = await client.ReadToEndAsync();
        var lines = remainder.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("+OK", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain(".", lines);
    }

    [Fact]
    public async Task Tarpit_garbage_and_every_nth_work_as_for_smtp()
    {
        await using var server = await StartAsync(
            new FaultRule { Command = FaultCommands.Noop, Action = FaultAction.Garbage("\u0001\u0002 garbage\r\n"), EveryNth = 2 },
            FaultRule.On(FaultCommands.Stat, FaultAction.Tarpit()));
        await using var client = await LoginAsync(server);
        Assert.Equal("+OK ", await client.Pop3CommandAsync("NOOP"));
        Assert.Equal("\u0001\u0002 garbage", await client.Pop3CommandAsync("NOOP"));
        Assert.Equal("+OK ", await client.Pop3CommandAsync("NOOP"));
        await client.SendAsync("STAT\r\nNOOP\r\n");
        client.ShutdownSend();
        var (_, remainder) = await client.ReadToEndAsync();
        Assert.Equal("", remainder);
    }

    [Fact]
    public async Task Delay_and_overlong_line_faults()
    {
        var delay = FaultRule.On(FaultCommands.Stat, FaultAction.Delay(TimeSpan.FromMilliseconds(50)));
        await using var server = await StartAsync(delay, FaultRule.On(FaultCommands.Uidl, FaultAction.OverlongLine(5000)));
        await using var client = await LoginAsync(server);
        Assert.StartsWith("+OK 1 ", await client.Pop3CommandAsync("STAT"), StringComparison.Ordinal);
        Assert.Equal(1, delay.FiredCount);
        var line = await client.Pop3CommandAsync("UIDL");
        Assert.Equal(5004, line!.Length);
        Assert.StartsWith("+OK xxx", line, StringComparison.Ordinal);
    }
}
