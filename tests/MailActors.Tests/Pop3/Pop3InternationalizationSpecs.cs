using MailActors.Pop3;
using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Tests.Pop3;

/// <summary>RFC 6856 (UTF8 and LANG), as MailKit offers them, against the in-process server.</summary>
public sealed class Pop3InternationalizationSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private const string Jurgen = "j\u00fcrgen";
    private const string JurgenPassword = "p\u00e4sswort";

    private Task<Pop3TestServer> StartInternationalServerAsync(Func<Pop3TestServerOptions, Pop3TestServerOptions>? more = null) =>
        StartPop3ServerAsync(o =>
        {
            var options = o with
            {
                Utf8 = true,
                Utf8User = true,
                Languages = ["en English", "de Deutsch"],
                Users = new Dictionary<string, string> { [Pop3User] = Pop3Password, [Jurgen] = JurgenPassword },
                Mailboxes = new Dictionary<string, Pop3Mailbox> { [Jurgen] = Pop3Mailbox.InMemory(SampleMessages) },
            };
            return more is null ? options : more(options);
        });

    [Fact]
    public async Task Utf8_lets_a_user_with_a_non_ascii_name_log_in()
    {
        var server = await StartInternationalServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        var refused = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<LoggedIn>(session, new Login(Jurgen, JurgenPassword)));
        var enabled = await AskPop3<Pop3Response>(session, EnableUtf8.Instance);
        var loggedIn = await AskPop3<LoggedIn>(session, new Login(Jurgen, JurgenPassword));
        var status = await AskPop3<MailboxStatus>(session, Stat.Instance);

        Assert.Contains("UTF8", refused.Message, StringComparison.Ordinal);
        Assert.True(enabled.IsOk);
        Assert.Equal("USER", loggedIn.Method);
        Assert.Equal(SampleMessages.Length, status.Count);
        Assert.Equal(["CAPA", $"USER {Jurgen}", "UTF8", $"USER {Jurgen}"], server.CommandLog.Take(4));
        Assert.StartsWith("PASS ", server.CommandLog[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_utf8_setting_sends_utf8_during_connect_before_the_login()
    {
        var server = await StartInternationalServerAsync();
        var settings = Pop3SettingsFor(server) with
        {
            UseUtf8 = true,
            Credentials = new SaslCredentials(Jurgen, JurgenPassword),
            LoginMethod = Pop3LoginMethod.UserPass,
        };

        var connected = await AskPop3<Connected>(Sys.ActorOf(Pop3SessionActor.Props(settings)), Connect.Instance);

        Assert.NotNull(connected.Login);
        Assert.True(connected.Capabilities.Utf8User);
        Assert.Equal(["CAPA", "UTF8", $"USER {Jurgen}"], server.CommandLog.Take(3));
    }

    [Fact]
    public async Task Utf8_is_refused_without_touching_the_wire_when_capa_does_not_list_it()
    {
        var server = await StartPop3ServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));
        var before = server.CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => AskPop3<Pop3Response>(session, EnableUtf8.Instance));

        Assert.Equal("UTF8", error.Extension);
        Assert.Equal(before, server.CommandLog.Count);
        Assert.Equal("Authorization", await Pop3StateOf(session));
    }

    [Fact]
    public async Task Utf8_refused_by_the_server_leaves_the_session_in_Authorization_and_stls_allowed()
    {
        var server = await StartInternationalServerAsync(o => o with { Faults = [FaultRule.On("UTF8", FaultAction.Reply("-ERR not today"))] });
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<Pop3Response>(session, EnableUtf8.Instance));
        var tls = await AskPop3<TlsStarted>(session, StartTls.Instance);

        Assert.Equal("UTF8", error.Command);
        Assert.False(string.IsNullOrEmpty(tls.Protocol));
        Assert.Equal("Authorization", await Pop3StateOf(session));
    }

    [Fact]
    public async Task Stls_after_utf8_is_refused_without_touching_the_wire()
    {
        var server = await StartInternationalServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));
        await AskPop3<Pop3Response>(session, EnableUtf8.Instance);
        var before = server.CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailStateException>(() => AskPop3<TlsStarted>(session, StartTls.Instance));

        Assert.Contains("UTF8", error.State, StringComparison.Ordinal);
        Assert.Equal(before, server.CommandLog.Count);
    }

    [Fact]
    public async Task Lang_lists_the_languages_and_selects_one_before_and_after_login()
    {
        var server = await StartInternationalServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        var languages = await AskPop3<Languages>(session, ListLanguages.Instance);
        var german = await AskPop3<Pop3Response>(session, new SetLanguage("de"));
        await AskPop3<LoggedIn>(session, new Login(Pop3User, Pop3Password));
        var unknown = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<Pop3Response>(session, new SetLanguage("fr")));
        var byDefault = await AskPop3<Pop3Response>(session, new SetLanguage("*"));

        Assert.Equal([new Pop3Language("en", "English"), new Pop3Language("de", "Deutsch")], languages.Available);
        Assert.True(languages.Response.IsOk && german.IsOk && byDefault.IsOk);
        Assert.Equal("LANG", unknown.Command);
        Assert.Equal(["CAPA", "LANG", "LANG de", "USER alice"], server.CommandLog.Take(4));
        Assert.Equal(["LANG fr", "LANG *"], server.CommandLog.Skip(5));
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Fact]
    public async Task A_listing_refused_by_the_server_is_a_typed_error_and_the_session_goes_on()
    {
        var server = await StartInternationalServerAsync(o => o with { Faults = [FaultRule.On("LANG", FaultAction.Reply("-ERR no languages here"))] });
        var session = await LoggedInPop3SessionAsync(server);

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<Languages>(session, ListLanguages.Instance));
        var status = await AskPop3<MailboxStatus>(session, Stat.Instance);

        Assert.Equal("LANG", error.Command);
        Assert.Equal(0, status.Count);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Theory]
    [InlineData("de\r\nDELE 1")]
    [InlineData("en_US")]
    [InlineData("en-")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_tag_that_is_not_a_language_range_is_refused_before_anything_is_written(string? tag)
    {
        var server = await StartInternationalServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        var before = server.CommandLog;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => AskPop3<Pop3Response>(session, new SetLanguage(tag!)));
        await AskPop3<Pop3Response>(session, Noop.Instance);

        Assert.Equal([.. before, "NOOP"], server.CommandLog);
    }

    [Fact]
    public async Task Lang_is_refused_without_touching_the_wire_when_capa_does_not_list_it()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        var before = server.CommandLog.Count;

        var list = await Assert.ThrowsAsync<MailNotSupportedException>(() => AskPop3<Languages>(session, ListLanguages.Instance));
        var set = await Assert.ThrowsAsync<MailNotSupportedException>(() => AskPop3<Pop3Response>(session, new SetLanguage("en")));

        Assert.Equal("LANG", list.Extension);
        Assert.Equal("LANG", set.Extension);
        Assert.Equal(before, server.CommandLog.Count);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Fact]
    public async Task A_malformed_language_listing_ends_the_session()
    {
        var server = await StartPop3ServerAsync(o => o with { Languages = ["en_US English"] });
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        await Assert.ThrowsAsync<Pop3ProtocolException>(() => AskPop3<Languages>(session, ListLanguages.Instance));

        Assert.Equal("Closed", await Pop3StateOf(session));
    }

    [Fact]
    public async Task The_client_facade_enables_utf8_and_switches_languages()
    {
        var server = await StartInternationalServerAsync();
        await using var client = await Pop3Client.ConnectAsync(Pop3OptionsFor(server, Sys));

        await client.EnableUtf8Async();
        var count = await client.LoginAsync(Jurgen, JurgenPassword);
        var languages = await client.GetLanguagesAsync();
        var listingMessage = client.Message;
        var reply = await client.SetLanguageAsync("de");

        Assert.Equal(SampleMessages.Length, count);
        Assert.Equal(["en", "de"], languages.Select(l => l.Tag));
        Assert.Contains("Language listing", listingMessage, StringComparison.Ordinal);
        Assert.True(reply.IsOk);
        Assert.Equal(["CAPA", "UTF8", $"USER {Jurgen}"], server.CommandLog.Take(3));
        Assert.Equal(["LANG", "LANG de"], server.CommandLog.Skip(5)); // after PASS and the STAT that counts the messages
    }
}
