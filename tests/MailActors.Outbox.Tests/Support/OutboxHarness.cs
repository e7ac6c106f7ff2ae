using Akka.Actor;
using Akka.Configuration;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;

namespace MailActors.Outbox.Tests.Support;

/// <summary>An actor system on a store, an outbox in it, routed to a test server; restartable like a process.</summary>
internal sealed class OutboxHarness : IAsyncDisposable
{
    private readonly OutboxStore _store;
    private readonly MailerOptions _mailer;
    private readonly OutboxOptions _options;

    private readonly string _extraConfig;

    private OutboxHarness(OutboxStore store, MailerOptions mailer, OutboxOptions options, string extraConfig = "")
    {
        _store = store;
        _mailer = mailer;
        _options = options;
        _extraConfig = extraConfig;
    }

    public ActorSystem System { get; private set; } = null!;

    public Outbox Outbox { get; private set; } = null!;

    /// <summary>Fast retries and sweeps so behaviour shows within a test's patience.</summary>
    public static OutboxOptions FastOptions { get; } = new()
    {
        Partitions = 2,
        InFlight = 64,
        Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200), Jitter = 0.2, MaxAge = TimeSpan.FromMinutes(5) },
        SweepInterval = TimeSpan.FromMilliseconds(200),
        SweepGrace = TimeSpan.FromMilliseconds(200),
        SnapshotIdleAfter = TimeSpan.FromMilliseconds(100),
        SnapshotMinEvents = 50,
        SnapshotMinBytes = 0,
    };

    public static RouteOptions Route(int port, string name = "test") => new()
    {
        Name = name,
        Session = new SmtpSessionSettings
        {
            Connection = new ConnectionSpec { Hosts = [ServerAddress.Parse($"127.0.0.1:{port}")], DefaultPort = port },
            HelloDomain = "outbox.test",
            CommandTimeout = TimeSpan.FromSeconds(10),
        },
        MaxSessions = 4,
        MaxAttempts = 1,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
        CircuitFailureThreshold = 1000,
    };

    /// <param name="extraConfig">HOCON that takes precedence over the store's and the defaults (a test plugin, for instance).</param>
    public static async Task<OutboxHarness> StartAsync(OutboxStore store, int port, OutboxOptions? options = null, RouteOptions? route = null, string extraConfig = "")
    {
        var harness = new OutboxHarness(store, new MailerOptions { Routes = [route ?? Route(port)] }, options ?? FastOptions, extraConfig);
        await store.PrepareAsync();
        await harness.StartInstanceAsync();
        return harness;
    }

    private async Task StartInstanceAsync()
    {
        var config = ConfigurationFactory.ParseString(_extraConfig)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"))
            .WithFallback(_store.ToConfig())
            .WithFallback(MailActorsConfig.Default);
        System = ActorSystem.Create("outbox-test", config);
        Outbox = await Outbox.StartAsync(System, _options, _mailer);
    }

    /// <summary>Stops everything (a clean shutdown, or a crash: the actor system just ends) and starts again on the same store.</summary>
    public async Task RestartAsync(OutboxOptions? options = null, bool crash = false)
    {
        if (crash)
        {
            await System.Terminate();
        }
        else
        {
            await StopAsync();
        }
        var next = new OutboxHarness(_store, _mailer, options ?? _options, _extraConfig);
        await next.StartInstanceAsync();
        System = next.System;
        Outbox = next.Outbox;
    }

    /// <summary>Terminates the actor system without letting the outbox finish anything (as close to a crash as one process gets).</summary>
    public async Task CrashAsync()
    {
        await System.Terminate();
    }

    public async Task StopAsync()
    {
        await Outbox.DisposeAsync();
        await System.Terminate();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or AskTimeoutException)
        {
            // already stopped
        }
    }

    public static OutgoingMail Mail(string id, string to = "rcpt@example.test", string from = "sender@example.test", int size = 200)
    {
        var body = $"From: <{from}>\r\nTo: <{to}>\r\nSubject: {id}\r\nMessage-ID: <{id}@outbox.test>\r\n\r\n" + new string('x', size) + "\r\n";
        return new OutgoingMail(from, [to], MessageContent.FromBytes(global::System.Text.Encoding.ASCII.GetBytes(body))) { MessageId = id };
    }
}
