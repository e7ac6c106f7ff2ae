using System.Text;
using Akka.Actor;
using MailActors.Delivery;
using MailActors.Hosting;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MailActors.Tests.Hosting;

/// <summary>services.AddMailActors starts the actor system with the host and hands out a working Mailer.</summary>
public sealed class AddMailActorsSpecs
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
}
