using System.Diagnostics;
using System.Text;
using Akka.Actor;
using MailActors.Delivery;
using MailActors.Hosting;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace MailActors.Tests.Hosting;

/// <summary>services.AddMailActors starts the actor system with the host and hands out a working Mailer.</summary>
public sealed class AddMailActorsSpecs(ITestOutputHelper output)
{
    private static OutgoingMail Mail(string to) =>
        new("sender@example.test", [to], MessageContent.FromBytes(Encoding.ASCII.GetBytes("Subject: di\r\n\r\nbody\r\n")));

    [Fact]
    public async Task Routes_from_hocon_deliver_through_the_registered_mailer()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMailActors(o => o.Hocon = $$"""
            akka.loglevel = WARNING
            mailactors.routes.local {
              hosts = ["127.0.0.1:{{server.Port}}"]
              max-sessions = 2
            }
            """);
        using var host = builder.Build();
        await host.StartAsync();

        var mailer = host.Services.GetRequiredService<Mailer>();
        var report = await mailer.SendAsync(Mail("a@example.test"));
        var system = host.Services.GetRequiredService<ActorSystem>();

        Assert.True(report.AllDelivered);
        Assert.Equal("mailactors", system.Name);
        Assert.Equal(120, (int)system.Settings.Config.GetTimeSpan("mailactors.smtp.command-timeout").TotalSeconds);
        Assert.Contains("local", mailer.Routes.Keys);
        await host.StopAsync();
    }

    [Fact]
    public async Task Routes_set_in_code_win_over_configuration()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMailActors(o => o.Mailer = new MailerOptions
        {
            Routes =
            [
                new RouteOptions
                {
                    Name = "code",
                    Session = new SmtpSessionSettings { Connection = new ConnectionSpec { Hosts = [new ServerAddress("127.0.0.1", server.Port)], DefaultPort = server.Port } },
                },
            ],
        });
        using var host = builder.Build();
        await host.StartAsync();

        var report = await host.Services.GetRequiredService<Mailer>().SendAsync(Mail("b@example.test"));

        Assert.True(report.AllDelivered);
        Assert.Single(server.Messages);
        await host.StopAsync();
    }

    [Fact]
    public async Task Without_routes_the_mailer_says_so()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMailActors();
        using var host = builder.Build();
        await host.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => host.Services.GetRequiredService<Mailer>());

        Assert.Contains("mailactors.routes", error.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_shutdown_waits_for_an_admitted_message_before_stopping_the_actor_system()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromSeconds(2))));
        using var host = HostFor(server);
        await host.StartAsync();
        var sending = host.Services.GetRequiredService<Mailer>().SendAsync(Mail("a@example.test"));
        await ContentSentTo(server);

        var stopping = Stopwatch.StartNew();
        await host.StopAsync();
        output.WriteLine($"StopAsync took {stopping.Elapsed}");

        // Delivered before the system went: the caller's continuation runs asynchronously, so it gets a moment.
        Assert.True((await sending.WaitAsync(TimeSpan.FromSeconds(1))).AllDelivered);
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task A_shutdown_started_inside_akka_also_drains_the_mailer()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromSeconds(1))));
        using var host = HostFor(server);
        await host.StartAsync();
        var sending = host.Services.GetRequiredService<Mailer>().SendAsync(Mail("a@example.test"));
        await ContentSentTo(server);

        // Cluster downing, or application code, ends the system without going through the host.
        await CoordinatedShutdown.Get(host.Services.GetRequiredService<ActorSystem>()).Run(CoordinatedShutdown.ClrExitReason.Instance);

        Assert.True((await sending.WaitAsync(TimeSpan.FromSeconds(1))).AllDelivered);
        Assert.Single(server.Messages);
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_shutdown_gives_up_the_drain_when_the_hosts_shutdown_timeout_runs_out()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Tarpit()));
        using var host = HostFor(server, services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500)));
        await host.StartAsync();
        var sending = host.Services.GetRequiredService<Mailer>().SendAsync(Mail("a@example.test"));
        await ContentSentTo(server);

        var stopping = Stopwatch.StartNew();
        await host.StopAsync();
        var elapsed = stopping.Elapsed;
        output.WriteLine($"StopAsync took {elapsed}");

        // Waited for the drain up to the host's timeout, not up to the mailer's 30 s or the 5 s of Akka's shutdown phase.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
        await Assert.ThrowsAsync<MailSessionClosedException>(() => sending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    private static IHost HostFor(SmtpTestServer server, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMailActors(o => o.Hocon = $$"""
            akka.loglevel = WARNING
            mailactors.routes.local { hosts = ["127.0.0.1:{{server.Port}}"] }
            """);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Waits until the message's content is on the wire, so the route holds it in a session.</summary>
    private static async Task ContentSentTo(SmtpTestServer server)
    {
        var deadline = Stopwatch.StartNew();
        while (!server.CommandLog.Any(c => c == "DATA" || c.StartsWith("BDAT", StringComparison.Ordinal)))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the message never reached the server");
            await Task.Delay(20);
        }
    }
}
