using Akka.Actor;
using MailActors.Pop3;
using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Tests.Support;
using Xunit.Abstractions;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Tests.Pop3;

/// <summary>Every RFC 1939 state of the POP3 session, and every command it must refuse without touching the wire.</summary>
public sealed class Pop3SessionStateSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static readonly string[] AuthorizationCommands = ["CAPA", "STLS", "USER", "PASS", "LOGIN", "APOP", "AUTH", "UTF8", "LANG", "LANGSET", "RAW", "QUIT"];
    private static readonly string[] TransactionCommands = ["STAT", "LIST", "LIST1", "UIDL", "UIDL1", "RETR", "TOP", "RETRMANY", "DELE", "DELEMANY", "RSET", "NOOP", "LAST"];

    public static TheoryData<string> AllCommands => new(AuthorizationCommands.Concat(TransactionCommands));
    public static TheoryData<string> TransactionOnly => new(TransactionCommands);
    public static TheoryData<string> AuthorizationOnly => new(["STLS", "USER", "PASS", "LOGIN", "APOP", "AUTH", "UTF8"]);

    private static ICommand Command(string name) => name switch
    {
        "CAPA" => Capa.Instance,
        "STLS" => StartTls.Instance,
        "USER" => new User(Pop3User),
        "PASS" => new Pass(Pop3Password),
        "LOGIN" => new Login(Pop3User, Pop3Password),
        "APOP" => new Pop3Session.Apop(Pop3User, Pop3Password),
        "AUTH" => new Authenticate(new SaslCredentials(Pop3User, Pop3Password)),
        "UTF8" => EnableUtf8.Instance,
        "LANG" => ListLanguages.Instance,
        "LANGSET" => new SetLanguage("en"),
        "RAW" => new Raw(Pop3Command.Raw("XTND", "XMIT")),
        "QUIT" => Quit.Instance,
        "STAT" => Stat.Instance,
        "LIST" => new List(),
        "LIST1" => new List(1),
        "UIDL" => new Uidl(),
        "UIDL1" => new Uidl(1),
        "RETR" => new Retrieve(1),
        "TOP" => new Top(1, 0),
        "RETRMANY" => new RetrieveMany([1, 2]),
        "DELE" => new Delete(1),
        "DELEMANY" => new DeleteMany([1, 2]),
        "RSET" => Reset.Instance,
        "NOOP" => Noop.Instance,
        "LAST" => Last.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(AllCommands))]
    public async Task Disconnected_refuses_every_command_but_connect_without_opening_a_connection(string name)
    {
        var server = await StartPop3ServerAsync();
        var session = Sys.ActorOf(Pop3SessionActor.Props(Pop3SettingsFor(server)));

        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal("Disconnected", error.State);
        Assert.Equal(0, server.SessionsOpened);
    }

    [Fact]
    public async Task Connect_reads_the_greeting_asks_capa_and_rests_in_Authorization()
    {
        var server = await StartPop3ServerAsync();
        var session = Sys.ActorOf(Pop3SessionActor.Props(Pop3SettingsFor(server)));

        var connected = await AskPop3<Connected>(session, Connect.Instance);

        Assert.True(connected.Greeting.IsOk);
        Assert.NotNull(connected.ApopTimestamp);
        Assert.True(connected.Capabilities.Uidl && connected.Capabilities.Top && connected.Capabilities.Stls);
        Assert.Null(connected.Login);
        Assert.Equal("Authorization", await Pop3StateOf(session));
        Assert.Equal(["CAPA"], server.CommandLog);
    }

    [Theory]
    [MemberData(nameof(TransactionOnly))]
    public async Task Authorization_refuses_transaction_commands_without_touching_the_wire(string name)
    {
        var server = await StartPop3ServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));
        var before = server.CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal("Authorization", error.State);
        Assert.Equal(before, server.CommandLog.Count);
    }

    [Fact]
    public async Task Pass_is_refused_until_a_user_was_accepted()
    {
        var server = await StartPop3ServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        var error = await Assert.ThrowsAsync<MailStateException>(() => AskPop3<LoggedIn>(session, new Pass(Pop3Password)));
        await AskPop3<Pop3Response>(session, new User(Pop3User));
        var loggedIn = await AskPop3<LoggedIn>(session, new Pass(Pop3Password));

        Assert.Equal("Authorization (no USER accepted)", error.State);
        Assert.Equal("USER", loggedIn.Method);
        Assert.Equal("Transaction", await Pop3StateOf(session));
        Assert.Equal(["CAPA", "USER alice", "PASS ****"], server.CommandLog.Select(Redact));
    }

    [Theory]
    [MemberData(nameof(AuthorizationOnly))]
    public async Task Transaction_refuses_login_and_stls_without_touching_the_wire(string name)
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        var before = server.CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal("Transaction", error.State);
        Assert.Equal(before, server.CommandLog.Count);
    }

    [Fact]
    public async Task Connect_with_credentials_logs_in_and_rests_in_Transaction()
    {
        var server = await StartPop3ServerAsync();
        var settings = Pop3SettingsFor(server) with { Credentials = new SaslCredentials(Pop3User, Pop3Password), LoginMethod = Pop3LoginMethod.UserPass };

        var session = Sys.ActorOf(Pop3SessionActor.Props(settings));
        var connected = await AskPop3<Connected>(session, Connect.Instance);

        Assert.Equal("USER", connected.Login!.Method);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Theory]
    [InlineData(Pop3LoginMethod.Auto, "AUTH SCRAM-SHA-256")]
    [InlineData(Pop3LoginMethod.Sasl, "AUTH SCRAM-SHA-256")]
    [InlineData(Pop3LoginMethod.Apop, "APOP")]
    [InlineData(Pop3LoginMethod.UserPass, "USER")]
    public async Task Each_login_method_leads_to_Transaction(Pop3LoginMethod method, string expected)
    {
        var server = await StartPop3ServerAsync();
        var settings = Pop3SettingsFor(server) with { Credentials = new SaslCredentials(Pop3User, Pop3Password), LoginMethod = method };

        var connected = await AskPop3<Connected>(Sys.ActorOf(Pop3SessionActor.Props(settings)), Connect.Instance);

        Assert.Equal(expected, connected.Login!.Method);
        Assert.Equal(1, server.LoginsSucceeded);
    }

    [Fact]
    public async Task Quit_from_Transaction_enters_Update_commits_deletions_and_closes()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        await AskPop3<Pop3Response>(session, new Delete(2));

        var response = await AskPop3<Pop3Response>(session, Quit.Instance);

        Assert.True(response.IsOk);
        Assert.Equal("Closed", await Pop3StateOf(session));
        await Eventually(() => server.DeletionsCommitted == 1);
        Assert.Equal(2, server.GetMailbox(Pop3User).Messages.Count);
    }

    [Fact]
    public async Task Quit_from_Authorization_closes_without_an_update()
    {
        var server = await StartPop3ServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        var response = await AskPop3<Pop3Response>(session, Quit.Instance);

        Assert.True(response.IsOk);
        Assert.Equal("Closed", await Pop3StateOf(session));
        Assert.Equal(0, server.DeletionsCommitted);
    }

    [Theory]
    [MemberData(nameof(AllCommands))]
    public async Task Closed_refuses_every_command_with_a_closed_session_error(string name)
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        await AskPop3<Pop3Response>(session, Quit.Instance);
        var before = server.CommandLog.Count;

        await Assert.ThrowsAsync<MailSessionClosedException>(() => session.Ask<object>(Command(name), TimeSpan.FromSeconds(5)));

        Assert.Equal(before, server.CommandLog.Count);
    }

    [Fact]
    public async Task Commands_sent_while_one_is_on_the_wire_are_served_in_order()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);

        var tasks = Enumerable.Range(1, 3).Select(n => AskPop3<MessageRetrieved>(session, new Retrieve(n))).ToArray();
        var retrieved = await Task.WhenAll(tasks);

        Assert.Equal([1, 2, 3], retrieved.Select(r => r.Number));
        Assert.Equal(SampleMessages[2], retrieved[2].Content.ToArray());
    }

    private static string Redact(string line) => line.StartsWith("PASS ", StringComparison.Ordinal) ? "PASS ****" : line;

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }
        Assert.True(condition());
    }
}
