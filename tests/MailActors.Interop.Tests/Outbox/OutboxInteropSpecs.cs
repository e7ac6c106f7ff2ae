using System.Text;
using Akka.Actor;
using Akka.Configuration;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Interop.Tests.Infrastructure;
using MailActors.Outbox;
using MailActors.Outbox.Bounces;
using MailActors.Pop3;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Interop.Tests.Outbox;

/// <summary>
/// The durable outbox against the real servers: the bounce loop end to end (Postfix accepts, then bounces with a DSN
/// that Dovecot holds; the poller reads it over POP3 and the outbox marks the recipient bounced), and a bulk run into
/// Postfix on the PostgreSQL store.
/// </summary>
[Collection(RealServers.CollectionName)]
public sealed class OutboxInteropSpecs(RealServers servers) : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailactors-outbox-interop", Guid.NewGuid().ToString("N"));
    private ActorSystem? _system;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.Terminate();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<MailActors.Outbox.Outbox> StartAsync(OutboxStore store, OutboxOptions options)
    {
        await store.PrepareAsync();
        _system = ActorSystem.Create("outbox-interop", ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(store.ToConfig()).WithFallback(MailActorsConfig.Default));
        var route = new RouteOptions
        {
            Name = "postfix",
            Session = new SmtpSessionSettings
            {
                Connection = new ConnectionSpec { Hosts = [new ServerAddress(servers.Host, servers.Smtp)], DefaultPort = servers.Smtp },
                HelloDomain = "outbox-interop.example.test",
                CommandTimeout = TimeSpan.FromSeconds(30),
            },
            MaxSessions = 10,
            MaxAttempts = 1,
        };
        return await MailActors.Outbox.Outbox.StartAsync(_system, options, new MailerOptions { Routes = [route] });
    }

    [Fact]
    public async Task A_message_postfix_accepts_and_then_bounces_comes_back_as_a_dsn_that_marks_the_recipient_bounced()
    {
        var outbox = await StartAsync(OutboxStore.Sqlite(Path.Combine(_directory, "bounce-loop.db")), OutboxOptions.FromConfig());
        var id = "bounce-loop-" + Guid.NewGuid().ToString("N")[..12];
        var content = Encoding.ASCII.GetBytes($"From: <{servers.Bounce.Address}>\r\nTo: <{servers.BounceAfterAcceptAddress}>\r\nSubject: {id}\r\nMessage-ID: <{id}@outbox-interop.example.test>\r\n\r\nthis one comes back\r\n");
        await outbox.EnqueueAsync(new OutgoingMail(servers.Bounce.Address, [servers.BounceAfterAcceptAddress], MessageContent.FromBytes(content))
        {
            MessageId = id,
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure },
        });
        MessageStatus? status = null;
        await WaitAsync(async () => (status = await outbox.GetStatusAsync(id)) is { IsFinished: true }, "Postfix accepted the message");
        Assert.Equal(RecipientState.Delivered, status!.Recipients[0].State);

        await using var poller = new BounceMailboxPoller(outbox, new BounceMailboxOptions
        {
            Server = new Pop3ClientOptions
            {
                Host = [servers.Host],
                Port = servers.Pop3,
                StartTls = TlsMode.StartTls,
                Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
                Timeout = TimeSpan.FromSeconds(30),
            },
            User = servers.Bounce.Name,
            Password = servers.Bounce.Password,
        });
        BouncePollResult? matched = null;
        await WaitAsync(async () =>
        {
            var poll = await poller.PollOnceAsync();
            matched = poll.Applied.Any(a => a.MessageId == id) ? poll : null;
            return matched is not null;
        }, "the DSN for the message reached the bounce mailbox and matched it", pause: TimeSpan.FromMilliseconds(500));

        var applied = matched!.Applied.Single(a => a.MessageId == id);
        Assert.Equal([servers.BounceAfterAcceptAddress], applied.Bounced);
        Assert.True(matched.Deleted >= 1, "the matched DSN was deleted from the mailbox");
        var bounced = (await outbox.GetStatusAsync(id))!.Recipients[0];
        Assert.Equal(RecipientState.Bounced, bounced.State);
        Assert.Contains("5.1.1", (bounced.LastReply?.ToString() ?? "") + bounced.LastError, StringComparison.Ordinal);
        Assert.True(outbox.IsSuppressed(servers.BounceAfterAcceptAddress, out var reason), "a 5.1.1 DSN is a hard bounce");
        Assert.Contains("DSN", reason + " ", StringComparison.Ordinal);
        await outbox.DisposeAsync();
    }

    [Fact]
    public async Task Two_thousand_messages_through_the_outbox_on_postgresql_into_postfix_are_all_queued_once()
    {
        var database = "outbox_interop_" + Guid.NewGuid().ToString("N")[..10];
        var outbox = await StartAsync(OutboxStore.Postgres(servers.PostgresConnectionString(database)), OutboxOptions.FromConfig() with { InFlight = 200 });
        var batch = Guid.NewGuid().ToString("N")[..8];
        var messages = Enumerable.Range(0, 2000).Select(i => new OutboxMessage(new OutgoingMail("sender@example.test", [servers.DiscardAddress],
            MessageContent.FromBytes(Encoding.ASCII.GetBytes($"Subject: outbox {batch} #{i}\r\n\r\nmessage {i}\r\n")))
        {
            MessageId = $"pg-{batch}-{i}",
        })).ToArray();

        foreach (var chunk in messages.Chunk(500))
        {
            var results = await outbox.EnqueueBatchAsync(chunk);
            Assert.All(results, r => Assert.Equal(EnqueueOutcome.Accepted, r.Outcome));
        }
        await WaitAsync(async () => (await outbox.GetCountsAsync()).Delivered == 2000, "all 2,000 delivered", timeout: TimeSpan.FromMinutes(3));

        var queueIds = new HashSet<string>();
        foreach (var m in messages.Where((_, i) => i % 50 == 0))
        {
            var reply = (await outbox.GetStatusAsync(m.Mail.MessageId))?.Recipients[0].LastReply;
            Assert.NotNull(reply);
            queueIds.Add(reply.Text.Split(' ').Last());
        }
        Assert.Equal(40, queueIds.Count);
        var counts = await outbox.GetCountsAsync();
        Assert.Equal((2000, 0, 0), (counts.MessagesAccepted, counts.MessagesUnfinished, counts.Bounced));
        await outbox.DisposeAsync();
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null, TimeSpan? pause = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not reached: " + because);
            await Task.Delay(pause ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
