using System.Diagnostics;

namespace MailActors.Testing.Tests;

public sealed class SmtpFaultTests
{
    private static async Task<RawClient> ConnectAndGreetAsync(SmtpTestServer server)
    {
        var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
        return client;
    }

    private static async Task<SmtpReply> SendMessageAsync(RawClient client, string body = "hello")
    {
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        return await client.CommandAsync(body + "\r\n.");
    }

    [Fact]
    public async Task Reply_fault_replaces_the_reply_and_the_command_is_not_carried_out()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Mail, FaultAction.Reply("451 4.3.0 try later"))],
        });
        await using var client = await ConnectAndGreetAsync(server);

        Assert.Equal("451 4.3.0 try later", (await client.CommandAsync("MAIL FROM:<a@example.test>")).Last);
        Assert.Equal(503, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Equal(1, server.RepliesByCode[451]);
    }

    [Fact]
    public async Task Reply_fault_at_end_of_data_rejects_the_message()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Reply("550 5.7.1 no")));
        await using var client = await ConnectAndGreetAsync(server);

        Assert.Equal("550 5.7.1 no", (await SendMessageAsync(client)).Last);
        Assert.Empty(server.Messages);
        Assert.Equal(503, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
    }

    [Fact]
    public async Task Reply_fault_at_bdat_last_rejects_the_message()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [new FaultRule { Command = FaultCommands.Bdat, Action = FaultAction.Reply("452 4.3.1 full"), Match = argument => argument.EndsWith("LAST", StringComparison.Ordinal) }],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.SendAsync("BDAT 3\r\nabcBDAT 3 LAST\r\ndef");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal("452 4.3.1 full", (await client.ReadReplyAsync()).Last);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task End_of_data_rule_also_applies_to_bdat_last()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.EndOfData, FaultAction.Reply("554 5.6.0 rejected content"))],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.SendAsync("BDAT 3 LAST\r\nabc");
        Assert.Equal("554 5.6.0 rejected content", (await client.ReadReplyAsync()).Last);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Reply_421_closes_the_connection()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Rcpt, FaultAction.Reply("421 4.7.0 closing"))],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        Assert.Equal("421 4.7.0 closing", (await client.CommandAsync("RCPT TO:<b@example.test>")).Last);
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal("", remainder);
    }

    [Fact]
    public async Task Rejected_greeting_allows_only_quit()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Connect, FaultAction.Reply("554 5.3.2 no service for you"))],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("554 5.3.2 no service for you", (await client.ReadReplyAsync()).Last);
        Assert.Equal(503, (await client.CommandAsync("EHLO client.test")).Code);
        Assert.Equal(221, (await client.CommandAsync("QUIT")).Code);
    }

    [Fact]
    public async Task Disconnect_before_reply_at_end_of_data_loses_the_message()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.EndOfData, FaultAction.DisconnectBeforeReply())],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        await client.SendAsync("hello\r\n.\r\n");
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal("", remainder);
        Assert.Empty(server.Messages);
        Assert.Equal(0, server.MessagesReceived);
    }

    [Fact]
    public async Task Disconnect_after_executing_without_reply_keeps_the_message_the_client_never_heard_about()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.EndOfData, FaultAction.Disconnect(DisconnectPoint.AfterExecutingWithoutReply))],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        await client.SendAsync("hello\r\n.\r\n");
        var (_, remainder) = await client.ReadToEndAsync();
        Assert.Equal("", remainder);
        Assert.Equal("hello\r\n", Assert.Single(server.Messages).DataText);
    }

    [Fact]
    public async Task Disconnect_after_reply_sends_the_reply_then_closes()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Rcpt, FaultAction.DisconnectAfterReply())],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        Assert.Equal("250 2.1.5 Ok", (await client.CommandAsync("RCPT TO:<b@example.test>")).Last);
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal("", remainder);
    }

    [Fact]
    public async Task Disconnect_before_reply_still_sends_replies_to_earlier_pipelined_commands()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Rcpt, FaultAction.DisconnectBeforeReply())],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.SendAsync("MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal("250 2.1.0 Ok\r\n", remainder);
    }

    [Fact]
    public async Task Disconnect_at_connect_closes_before_the_greeting()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Connect, FaultAction.DisconnectBeforeReply())],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal("", remainder);
    }

    [Fact]
    public async Task Delay_fault_waits_then_answers_normally()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        var rule = FaultRule.On(FaultCommands.Noop, FaultAction.Delay(delay));
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [rule] });
        await using var client = await ConnectAndGreetAsync(server);

        var watch = Stopwatch.StartNew();
        Assert.Equal("250 2.0.0 Ok", (await client.CommandAsync("NOOP")).Last);
        Assert.True(watch.Elapsed >= delay - TimeSpan.FromMilliseconds(20), $"answered after {watch.Elapsed}, before the delay");
        Assert.Equal(1, rule.FiredCount);
    }

    [Fact]
    public async Task Rules_added_and_removed_at_runtime_take_effect_for_the_next_command()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await ConnectAndGreetAsync(server);

        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
        var slow = server.Faults.Add(FaultRule.On(FaultCommands.Noop, FaultAction.Reply("450 4.3.0 slow")));
        Assert.Equal(450, (await client.CommandAsync("NOOP")).Code);
        Assert.True(server.Faults.Remove(slow));
        Assert.False(server.Faults.Remove(slow));
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
        server.Faults.Add(FaultRule.On(FaultCommands.Any, FaultAction.Reply("451 4.3.0 any")));
        Assert.Equal(451, (await client.CommandAsync("RSET")).Code);
        server.Faults.Clear();
        Assert.True(server.Faults.IsEmpty);
        Assert.Equal(250, (await client.CommandAsync("RSET")).Code);
    }

    [Fact]
    public async Task Tarpit_never_answers_until_the_client_goes_away()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Mail, FaultAction.Tarpit())],
        });
        await using var client = await ConnectAndGreetAsync(server);

        await client.SendAsync("MAIL FROM:<a@example.test>\r\nNOOP\r\nQUIT\r\n");
        client.ShutdownSend();
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal("", remainder);
        await Eventually.TrueAsync(() => server.SessionsActive == 0, "the tarpitted session ends when the client leaves");
    }

    [Fact]
    public async Task Tarpit_at_connect_sends_no_greeting()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Connect, FaultAction.Tarpit())],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("EHLO client.test\r\n");
        client.ShutdownSend();
        var (_, remainder) = await client.ReadToEndAsync();
        Assert.Equal("", remainder);
    }

    [Fact]
    public async Task Garbage_fault_sends_the_bytes_instead_of_a_reply_and_the_session_goes_on()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [new FaultRule { Command = FaultCommands.Noop, Action = FaultAction.Garbage("xyz\r\n"), Times = 1 }],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.SendAsync("NOOP\r\n");
        Assert.Equal("xyz", await client.ReadLineAsync());
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task Overlong_line_fault_sends_one_line_of_the_requested_length()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Ehlo, FaultAction.OverlongLine(10_000))],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.SendAsync("EHLO client.test\r\n");
        var line = await client.ReadLineAsync();
        Assert.NotNull(line);
        Assert.Equal(10_004, line!.Length);
        Assert.StartsWith("250 xxx", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unterminated_multiline_reply_sends_the_given_number_of_continuation_lines_and_stalls()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Ehlo, FaultAction.UnterminatedMultiline(lineCount: 100))],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.SendAsync("EHLO client.test\r\n");
        client.ShutdownSend();
        var (_, remainder) = await client.ReadToEndAsync();
        var lines = remainder.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(101, lines.Length);
        Assert.All(lines, line => Assert.StartsWith("250-", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Endless_multiline_reply_keeps_coming_while_the_client_reads()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Ehlo, FaultAction.UnterminatedMultiline())],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.SendAsync("EHLO client.test\r\n");
        for (var i = 0; i < 20_000; i++)
        {
            var line = await client.ReadLineAsync();
            Assert.NotNull(line);
            Assert.StartsWith("250-", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_nth_selection_fires_on_multiples_of_n()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 every third"), EveryNth = 3 }],
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        var codes = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            codes.Add((await client.CommandAsync($"RCPT TO:<r{i}@example.test>")).Code);
        }

        Assert.Equal([250, 250, 451, 250, 250, 451, 250], codes);
    }

    [Fact]
    public async Task Match_and_times_select_which_occurrences_fire()
    {
        var rule = new FaultRule
        {
            Command = "rcpt",
            Action = FaultAction.Reply("550 5.1.1 bounce"),
            Match = argument => argument.Contains("<bounce@", StringComparison.OrdinalIgnoreCase),
            Times = 2,
        };
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = [rule] });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");

        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<ok@example.test>")).Code);
        Assert.Equal(550, (await client.CommandAsync("RCPT TO:<bounce@example.test>")).Code);
        Assert.Equal(550, (await client.CommandAsync("RCPT TO:<Bounce@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<bounce@example.test>")).Code);
        Assert.Equal(2, rule.FiredCount);
    }

    [Fact]
    public async Task Seeded_probability_is_reproducible_and_bounds_are_respected()
    {
        async Task<List<int>> RunAsync(double probability, int? seed)
        {
            await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
            {
                Faults = [new FaultRule { Command = FaultCommands.Noop, Action = FaultAction.Reply("451 4.3.0 random"), Probability = probability, Seed = seed }],
            });
            await using var client = await ConnectAndGreetAsync(server);
            var codes = new List<int>();
            for (var i = 0; i < 40; i++)
            {
                codes.Add((await client.CommandAsync("NOOP")).Code);
            }

            return codes;
        }

        var first = await RunAsync(0.5, seed: 42);
        var second = await RunAsync(0.5, seed: 42);
        Assert.Equal(first, second);
        Assert.Contains(451, first);
        Assert.Contains(250, first);
        Assert.All(await RunAsync(1e-9, seed: 42), code => Assert.Equal(250, code)); // 0 itself is refused: a rule that never fires
        Assert.All(await RunAsync(1.0, seed: null), code => Assert.Equal(451, code));
    }

    [Fact]
    public async Task Any_rule_does_not_replace_the_greeting()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [FaultRule.On(FaultCommands.Any, FaultAction.Reply("451 4.3.0 everything fails"))],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        Assert.Equal(451, (await client.CommandAsync("EHLO client.test")).Code);
    }
}
