using MailActors.Pop3;
using MailActors.Protocol;
using MailActors.Protocol.Pop3;
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

    private Task<Pop3TestServer> StartInternationalServerAsync() => StartPop3ServerAsync(o => o with
    {
        Utf8 = true,
        Languages = ["en English", "de Deutsch"],
        Users = new Dictionary<string, string> { [Pop3User] = Pop3Password, [Jurgen] = JurgenPassword },
        Mailboxes = new Dictionary<string, Pop3Mailbox> { [Jurgen] = Pop3Mailbox.InMemory(SampleMessages) },
    });

    [Fact]
    public async Task Utf8_lets_a_user_with_a_non_ascii_name_log_in()
    {
        var server = await StartInternationalServerAsync();
        var session = await ConnectedPop3SessionAsync(Pop3SettingsFor(server));

        var refused = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<LoggedIn>(session, new Login(Jurgen, JurgenPassword)));
        var enabled = await AskPop3<Pop3Response>(session, EnableUtf8.Instance);
        var loggedIn = await AskPop3<LoggedIn>(session, new Login(Jurgen, JurgenPassword));

        Assert.Contains("UTF8", refused.Message, StringComparison.Ordinal);
        Assert.True(enabled.IsOk);
        Assert.Equal(SampleMessages.Length, loggedIn.MessageCount ?? (await AskPop3<MailboxStatus>(session, Stat.Instance)).Count);
        Assert.Equal(["CAPA", $"USER {Jurgen}", "UTF8", $"USER {Jurgen}"], server.CommandLog.Take(4));
        Assert.StartsWith("PASS ", server.CommandLog[4], StringComparison.Ordinal);
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
        Assert.StartsWith("de ", german.Text, StringComparison.Ordinal);
        Assert.Contains("fr", unknown.Message, StringComparison.Ordinal);
        Assert.StartsWith("en ", byDefault.Text, StringComparison.Ordinal);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Theory]
    [InlineData("de\r\nDELE 1")]
    [InlineData("en_US")]
    [InlineData("")]
    public async Task A_tag_that_is_not_a_language_range_is_refused_before_anything_is_written(string tag)
    {
        var server = await StartInternationalServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        var before = server.CommandLog.Count;

        await Assert.ThrowsAsync<Pop3ArgumentException>(() => AskPop3<Pop3Response>(session, new SetLanguage(tag)));

        Assert.Equal(before, server.CommandLog.Count);
        Assert.Equal(0, server.DeletionsCommitted);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Fact]
    public async Task Lang_is_refused_without_touching_the_wire_when_capa_does_not_list_it()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        var before = server.CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => AskPop3<Languages>(session, ListLanguages.Instance));

        Assert.Equal("LANG", error.Extension);
        Assert.Equal(before, server.CommandLog.Count);
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
        var reply = await client.SetLanguageAsync("de");

        Assert.Equal(SampleMessages.Length, count);
        Assert.Equal(["en", "de"], languages.Select(l => l.Tag));
        Assert.StartsWith("de ", reply.Text, StringComparison.Ordinal);
        Assert.Contains("UTF8", server.CommandLog);
    }
}
