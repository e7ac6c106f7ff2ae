using System.Text;
using Akka.Actor;
using MailActors.Interop.Tests.Infrastructure;
using MailActors.Load;
using MailActors.Pop3;
using MailActors.Protocol.Integrity;
using MailActors.Protocol.Sasl;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Interop.Tests.Load;

/// <summary>The load engine against the real servers: smtp-sink's quirks, Postfix with TLS and AUTH, delivery intact end to end.</summary>
[Collection(RealServers.CollectionName)]
public sealed class LoadInteropSpecs(RealServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("load-interop", "akka.loglevel = WARNING");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    private SmtpSessionSettings Session(int port, TlsMode tls = TlsMode.None, MailUser? user = null) => new()
    {
        Connection = new ConnectionSpec
        {
            Hosts = [new ServerAddress(servers.Host, port)],
            DefaultPort = port,
            ImplicitTls = tls == TlsMode.Implicit,
            Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
            ConnectTimeout = TimeSpan.FromSeconds(10),
        },
        TlsMode = tls,
        HelloDomain = "load.example.test",
        Credentials = user is null ? null : new SaslCredentials(user.Name, user.Password),
        CommandTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task Smtp_sink_takes_a_pipelined_closed_loop_run()
    {
        var report = await LoadRun.Start(_system, new LoadOptions { Session = Session(servers.Sink), Sessions = 10, Messages = 2000 }).Completion.WaitAsync(RunTimeout);

        Assert.Null(report.AbortReason);
        Assert.Equal(2000, report.Delivered);
        Assert.Empty(report.Errors);
        Assert.Equal(2000, report.RecipientsAccepted);
        // smtp-sink advertises PIPELINING: one DATA reply per message, no step taken in turn.
        Assert.Equal(2000, report.Steps.Single(s => s.Name == "DATA").Count);
        Assert.Equal(10, report.Steps.Single(s => s.Name == "EHLO").Count);
    }

    [Fact]
    public async Task Smtp_sink_without_pipelining_and_with_a_connection_per_message()
    {
        var report = await LoadRun.Start(_system, new LoadOptions
        {
            Session = Session(servers.Sink) with { UsePipelining = false },
            Sessions = 4,
            Messages = 100,
            MessagesPerConnection = 1,
        }).Completion.WaitAsync(RunTimeout);

        Assert.Equal(100, report.Delivered);
        Assert.Equal(100, report.ConnectionsOpened);
        Assert.Equal(100, report.Steps.Single(s => s.Name == "QUIT").Count);
    }

    [Fact]
    public async Task Postfix_with_starttls_and_auth_delivers_every_message_intact()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var report = await LoadRun.Start(_system, new LoadOptions
        {
            Session = Session(servers.Submission, TlsMode.StartTls, servers.Alice),
            Sessions = 3,
            Messages = 12,
            Message = new LoadMessageOptions { From = servers.Alice.Address, To = servers.Bob.Address, Subject = "load " + marker, Size = SizeDistribution.Parse("300,20k") },
        }).Completion.WaitAsync(RunTimeout);

        Assert.Null(report.AbortReason);
        Assert.Equal(12, report.Delivered);
        Assert.Contains(report.Steps, s => s.Name == "STARTTLS");
        Assert.Contains(report.Steps, s => s.Name == "AUTH");
        var delivered = await servers.WaitForMaildirMessagesAsync("bob", text => text.Contains("Subject: load " + marker, StringComparison.Ordinal), TimeSpan.FromSeconds(60), minimumCount: 12);
        foreach (var file in delivered)
        {
            // Maildir stores LF line ends; on the wire (and for POP3) they are CRLF again.
            var wire = Encoding.ASCII.GetBytes((await File.ReadAllTextAsync(file)).Replace("\n", "\r\n", StringComparison.Ordinal));
            Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(wire));
        }
    }

    [Fact]
    public async Task Postfix_refusals_are_counted_by_phase_and_code()
    {
        var report = await LoadRun.Start(_system, new LoadOptions
        {
            Session = Session(servers.Smtp),
            Sessions = 2,
            Messages = 10,
            Message = new LoadMessageOptions { From = servers.Alice.Address, To = "nobody{n}@" + servers.Domain },
        }).Completion.WaitAsync(RunTimeout);

        Assert.Equal(0, report.Delivered);
        Assert.Equal(10, report.Failed);
        Assert.Equal(10, report.Errors.Single(e => e is { Phase: "RCPT", What: "550" }).Count);
        Assert.Equal(10, report.RecipientsRefused);
    }

    [Fact]
    public async Task Dovecot_serves_what_an_smtp_load_sent_with_every_digest_intact()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var sent = await LoadRun.Start(_system, new LoadOptions
        {
            Session = Session(servers.Smtp),
            Sessions = 2,
            Messages = 10,
            Message = new LoadMessageOptions { From = servers.Alice.Address, To = servers.Bob.Address, Subject = "pop3 load " + marker },
        }).Completion.WaitAsync(RunTimeout);
        Assert.Equal(10, sent.Delivered);
        await servers.WaitForMaildirMessagesAsync("bob", text => text.Contains("Subject: pop3 load " + marker, StringComparison.Ordinal), TimeSpan.FromSeconds(60), minimumCount: 10);
        var inMailbox = Directory.GetFiles(Path.Combine(servers.MaildirOf("bob"), "new")).Length + Directory.GetFiles(Path.Combine(servers.MaildirOf("bob"), "cur")).Length;

        var report = await LoadRun.StartPop3(_system, new Pop3LoadOptions
        {
            Session = new Pop3SessionSettings
            {
                Connection = new ConnectionSpec
                {
                    Hosts = [new ServerAddress(servers.Host, servers.Pop3)],
                    DefaultPort = servers.Pop3,
                    Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
                },
                TlsMode = TlsMode.StartTls,
                LoginMethod = Pop3LoginMethod.UserPass,
                CommandTimeout = TimeSpan.FromSeconds(30),
            },
            User = servers.Bob.Name,
            Password = servers.Bob.Password,
            Sessions = 1,
            Messages = inMailbox,
        }).Completion.WaitAsync(RunTimeout);

        Assert.Null(report.AbortReason);
        Assert.Equal(inMailbox, report.Delivered);
        Assert.NotNull(report.Integrity);
        Assert.True(report.Integrity.Valid >= 10, $"valid digests: {report.Integrity}");
        Assert.Equal(0, report.Integrity.Mismatch);
        foreach (var step in new[] { "connect", "CAPA", "STLS", "PASS", "STAT", "LIST", "UIDL", "RETR", "QUIT" })
        {
            Assert.Contains(report.Steps, s => s.Name == step);
        }
    }

    [Fact]
    public async Task Dovecot_over_implicit_tls_with_a_wrong_password_ends_the_run()
    {
        var report = await LoadRun.StartPop3(_system, new Pop3LoadOptions
        {
            Session = new Pop3SessionSettings
            {
                Connection = new ConnectionSpec
                {
                    Hosts = [new ServerAddress(servers.Host, servers.Pop3s)],
                    DefaultPort = servers.Pop3s,
                    ImplicitTls = true,
                    Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
                },
                TlsMode = TlsMode.Implicit,
                LoginMethod = Pop3LoginMethod.UserPass,
                CommandTimeout = TimeSpan.FromSeconds(30),
            },
            User = servers.Alice.Name,
            Password = "not-" + servers.Alice.Password,
            Sessions = 1,
            Messages = 5,
            MaxConsecutiveConnectFailures = 2,
        }).Completion.WaitAsync(RunTimeout);

        Assert.NotNull(report.AbortReason);
        Assert.Equal(0, report.Delivered);
        Assert.Equal(2, report.Errors.Where(e => e.Phase == "PASS").Sum(e => e.Count));
    }
}
