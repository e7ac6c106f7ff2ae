using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Pop3;
using MailActors.Testing;
using MailActors.Transport;

namespace MailActors.Tests.Support;

// POP3 helpers: an in-process Pop3TestServer with user alice and a small mailbox, sessions to it.
public abstract partial class SessionTestKit
{
    protected const string Pop3User = "alice";
    protected const string Pop3Password = "s3cret";

    protected static readonly byte[][] SampleMessages =
    [
        "Subject: first\r\nFrom: a@example.test\r\n\r\nhello\r\n.leading dot\r\n"u8.ToArray(),
        "Subject: second\r\nFrom: b@example.test\r\n\r\nline 1\r\nline 2\r\nline 3\r\n"u8.ToArray(),
        "Subject: third\r\nFrom: c@example.test\r\n\r\nGr\u00fc\u00dfe\r\n"u8.ToArray(),
    ];

    /// <summary>Starts a POP3 test server with alice/s3cret owning <see cref="SampleMessages"/>; <paramref name="configure"/> adjusts the options.</summary>
    protected async Task<Pop3TestServer> StartPop3ServerAsync(Func<Pop3TestServerOptions, Pop3TestServerOptions>? configure = null)
    {
        var options = new Pop3TestServerOptions
        {
            Users = new Dictionary<string, string> { [Pop3User] = Pop3Password },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { [Pop3User] = Pop3Mailbox.InMemory(SampleMessages) },
            AuthMechanisms = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"],
        };
        var server = await Pop3TestServer.StartAsync(configure is null ? options : configure(options));
        _servers.Add(server);
        return server;
    }

    /// <summary>Settings for a session to <paramref name="server"/> that trust its certificate, allow cleartext login on
    /// loopback (unless a test says otherwise) and time out quickly.</summary>
    protected static Pop3SessionSettings Pop3SettingsFor(Pop3TestServer server, ITranscript? transcript = null) => new()
    {
        Connection = Loopback(server.Port, server.Certificate) with { ConnectTimeout = TimeSpan.FromSeconds(5) },
        AllowCleartextAuthentication = true,
        CommandTimeout = TimeSpan.FromSeconds(5),
        Transcript = transcript,
    };

    /// <summary>Client options for <paramref name="server"/> in the same spirit.</summary>
    protected static Pop3ClientOptions Pop3OptionsFor(Pop3TestServer server, ActorSystem system, ITranscript? transcript = null) => new()
    {
        Host = ["127.0.0.1"],
        Port = server.Port,
        Tls = new TlsOptions { TrustedCertificates = [server.Certificate], TargetHost = "localhost" },
        AllowCleartextAuthentication = true,
        Timeout = TimeSpan.FromSeconds(5),
        Transcript = transcript,
        ActorSystem = system,
    };

    /// <summary>Starts a POP3 session and connects it; it rests in Authorization (or Transaction when the settings log in).</summary>
    protected async Task<IActorRef> ConnectedPop3SessionAsync(Pop3SessionSettings settings)
    {
        var session = Sys.ActorOf(Pop3SessionActor.Props(settings));
        await session.Ask<Pop3Session.Connected>(Pop3Session.Connect.Instance, TimeSpan.FromSeconds(10));
        return session;
    }

    /// <summary>A session logged in as alice with USER/PASS, resting in Transaction.</summary>
    protected async Task<IActorRef> LoggedInPop3SessionAsync(Pop3TestServer server, ITranscript? transcript = null)
    {
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server, transcript));
        await session.Ask<Pop3Session.LoggedIn>(new Pop3Session.Login(Pop3User, Pop3Password), TimeSpan.FromSeconds(5));
        return session;
    }

    protected static async Task<string> Pop3StateOf(IActorRef session) =>
        (await session.Ask<Pop3Session.Info>(Pop3Session.GetInfo.Instance, TimeSpan.FromSeconds(5))).State;

    protected static Task<T> AskPop3<T>(IActorRef session, Pop3Session.ICommand command) => session.Ask<T>(command, TimeSpan.FromSeconds(10));
}
