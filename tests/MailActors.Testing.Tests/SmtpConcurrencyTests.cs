namespace MailActors.Testing.Tests;

public sealed class SmtpConcurrencyTests
{
    [Fact]
    public async Task A_thousand_concurrent_idle_connections_are_served()
    {
        const int connections = 1000;
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Record = false });
        var clients = new List<RawClient>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                clients.Add(await RawClient.ConnectAsync(server.EndPoint));
            }

            var greetings = await Task.WhenAll(clients.Select(client => client.ReadReplyAsync()));
            Assert.All(greetings, greeting => Assert.Equal(220, greeting.Code));
            Assert.Equal(connections, server.SessionsActive);
            Assert.Equal(connections, server.SessionsOpened);

            // Every idle session is still alive and responsive.
            var replies = await Task.WhenAll(clients.Select(client => client.CommandAsync("NOOP")));
            Assert.All(replies, reply => Assert.Equal(250, reply.Code));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        await Eventually.TrueAsync(() => server.SessionsActive == 0, "all sessions end when their clients close");
    }

    [Fact]
    public async Task Concurrent_sessions_each_deliver_and_every_message_is_recorded()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async n =>
        {
            await using var client = await RawClient.ConnectAsync(server.EndPoint);
            await client.ReadReplyAsync();
            await client.SendAsync($"EHLO c{n}\r\nMAIL FROM:<s{n}@example.test>\r\nRCPT TO:<r{n}@example.test>\r\nDATA\r\n");
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(250, (await client.ReadReplyAsync()).Code);
            }

            Assert.Equal(354, (await client.ReadReplyAsync()).Code);
            Assert.Equal(250, (await client.CommandAsync($"body {n}\r\n.")).Code);
        }));

        await server.WaitForMessagesAsync(50, TimeSpan.FromSeconds(30));
        var messages = server.Messages;
        Assert.Equal(50, messages.Count);
        Assert.All(messages, message => Assert.Equal($"body {message.Envelope.MailFrom[1..message.Envelope.MailFrom.IndexOf('@')]}\r\n", message.DataText));
        Assert.Equal(50, messages.Select(message => message.SessionId).Distinct().Count());
    }

    [Fact]
    public async Task Connections_beyond_the_session_limit_get_421()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { MaxConcurrentSessions = 2 });
        await using var first = await RawClient.ConnectAsync(server.EndPoint);
        await using var second = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await first.ReadReplyAsync()).Code);
        Assert.Equal(220, (await second.ReadReplyAsync()).Code);
        await using var third = await RawClient.ConnectAsync(server.EndPoint);
        Assert.StartsWith("421 4.7.0", (await third.ReadReplyAsync()).Last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_sessions_time_out_with_421()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        Assert.StartsWith("421 4.4.2", (await client.ReadReplyAsync()).Last, StringComparison.Ordinal);
        var (closed, _) = await client.ReadToEndAsync();
        Assert.True(closed);
    }

    [Fact]
    public async Task Disposing_the_server_closes_open_sessions()
    {
        var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        await server.DisposeAsync();
        var (closed, _) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.Equal(0, server.SessionsActive);
    }
}
