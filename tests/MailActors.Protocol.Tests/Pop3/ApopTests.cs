using MailActors.Protocol.Pop3;

namespace MailActors.Protocol.Tests.Pop3;

public class ApopTests
{
    [Fact]
    public void Computes_the_digest_of_rfc_1939s_example()
    {
        Assert.Equal("c4c9334bac560ecc979e58001b3e22fb", Apop.Digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"));
    }

    [Fact]
    public void A_created_timestamp_is_unique_and_found_again_in_a_greeting()
    {
        string timestamp = Apop.CreateTimestamp("pop.example.test");

        Assert.Matches(@"^<\d+\.\d+@pop\.example\.test>$", timestamp);
        Assert.NotEqual(timestamp, Apop.CreateTimestamp("pop.example.test"));
        Assert.Equal(timestamp, Apop.ExtractTimestamp("+OK POP3 server ready " + timestamp));
        Assert.Throws<ArgumentException>(() => Apop.CreateTimestamp(""));
    }

    [Fact]
    public void Extracts_the_timestamp_of_rfc_1939s_example_greeting()
    {
        Assert.Equal(
            "<1896.697170952@dbc.mtview.ca.us>",
            Apop.ExtractTimestamp("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"));
    }

    [Theory]
    [InlineData("+OK Dovecot ready.")]
    [InlineData("+OK <no at sign here>")]
    [InlineData("+OK <has blank@host example>")]
    [InlineData("+OK <unclosed@host")]
    [InlineData("+OK closed@host>")]
    [InlineData("+OK <>")]
    public void Finds_no_timestamp_where_there_is_none(string greeting)
    {
        Assert.Null(Apop.ExtractTimestamp(greeting));
    }

    [Fact]
    public void Skips_angle_brackets_that_are_not_a_msg_id()
    {
        Assert.Equal(
            "<42.1700000000@mail.example>",
            Apop.ExtractTimestamp("+OK <ready> now <42.1700000000@mail.example> go"));
    }

    [Fact]
    public void Builds_a_redacted_apop_command_from_the_greeting()
    {
        var command = Apop.Command("mrose", "<1896.697170952@dbc.mtview.ca.us>", "tanstaaf");

        Assert.Equal("APOP mrose c4c9334bac560ecc979e58001b3e22fb", command.Line);
        Assert.Equal("APOP mrose ****", command.ToTranscript());
        Assert.True(command.IsSensitive);
    }

    [Fact]
    public void Hashes_non_ascii_secrets_as_utf8()
    {
        string digest = Apop.Digest("<1@h>", "pässwörd");

        Assert.Equal(32, digest.Length);
        Assert.Equal(digest.ToLowerInvariant(), digest);
        Assert.NotEqual(Apop.Digest("<1@h>", "passwort"), digest);
    }
}
