using System.Text;
using Akka.Actor;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Interop.Tests.Infrastructure;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Interop.Tests.Delivery;

/// <summary>The delivery engine's session pool against real servers: 10,000 messages into Postfix and into smtp-sink.</summary>
[Collection(RealServers.CollectionName)]
public sealed class MailerInteropSpecs(RealServers servers) : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("interop", MailActorsConfig.WithOverrides("akka.loglevel = WARNING"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    private RouteOptions Route(string name, int port) => new()
    {
        Name = name,
        Session = new SmtpSessionSettings
        {
            Connection = new ConnectionSpec { Hosts = [new ServerAddress(servers.Host, port)], DefaultPort = port, Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] } },
            HelloDomain = "interop.example.test",
            CommandTimeout = TimeSpan.FromSeconds(30),
        },
        MaxSessions = 10,
        MaxMessagesPerSession = 500,
    };

    private static OutgoingMail Mail(string batch, int i, string to) => new(
        "sender@example.test", [to],
        MessageContent.FromBytes(Encoding.ASCII.GetBytes($"Subject: {batch} #{i}\r\nMessage-ID: <{batch}.{i}@interop.example.test>\r\n\r\nmessage {i} of batch {batch}\r\n")));

    [Fact]
    public async Task Ten_thousand_messages_through_the_pool_into_postfix_are_all_queued()
    {
        var batch = "pool-" + Guid.NewGuid().ToString("N")[..10];
        await using var mailer = Mailer.Create(_system, new MailerOptions { Routes = [Route("postfix", servers.Smtp)] });

        var reports = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(i => mailer.SendAsync(Mail(batch, i, servers.DiscardAddress))));

        Assert.All(reports, r => Assert.True(r.AllDelivered, $"{r.MessageId}: {r.Recipients[0].Status} {r.Recipients[0].Reply} {r.Recipients[0].Error}"));
        // Each "250 2.0.0 Ok: queued as ID" names a distinct Postfix queue file: ten thousand messages really were taken.
        var queueIds = reports.Select(r => r.Recipients[0].Reply!.Text.Split(' ').Last()).ToHashSet();
        Assert.Equal(10_000, queueIds.Count);
    }

    [Fact]
    public async Task Ten_thousand_messages_through_the_pool_into_smtp_sink()
    {
        await using var mailer = Mailer.Create(_system, new MailerOptions { Routes = [Route("sink", servers.Sink) with { MaxSessions = 20 }] });

        var reports = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(i => mailer.SendAsync(Mail("sink", i, $"r{i}@example.test"))));

        Assert.Equal(10_000, reports.Count(r => r.AllDelivered));
        Assert.All(reports, r => Assert.Equal(1, r.Attempts));
    }
}
