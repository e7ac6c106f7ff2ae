using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class SmtpCapabilitiesTests
{
    private static SmtpCapabilities FromWire(string wire) =>
        SmtpCapabilities.FromEhloReply(Assert.Single(ReplyFeeder.ParseAll(wire)));

    private static SmtpCapabilities FromLines(params string[] lines) =>
        SmtpCapabilities.FromEhloReply(SmtpReply.Create(250, lines));

    [Fact]
    public void Postfix_ehlo_reply_announces_everything_it_was_configured_for()
    {
        var capabilities = FromWire(SmtpSamples.PostfixEhlo);

        Assert.Equal("mail.example.test", capabilities.ServerDomain);
        Assert.Equal(string.Empty, capabilities.Greeting);
        Assert.True(capabilities.Pipelining);
        Assert.True(capabilities.Vrfy);
        Assert.True(capabilities.Etrn);
        Assert.True(capabilities.StartTls);
        Assert.True(capabilities.EnhancedStatusCodes);
        Assert.True(capabilities.EightBitMime);
        Assert.True(capabilities.Dsn);
        Assert.True(capabilities.SmtpUtf8);
        Assert.True(capabilities.Chunking);
        Assert.False(capabilities.BinaryMime);
        Assert.False(capabilities.Checkpoint);
        Assert.False(capabilities.Xverp);
        Assert.Equal(10_240_000, capabilities.MaxSize);
        Assert.Equal(["PLAIN", "LOGIN"], capabilities.AuthMechanisms);
        Assert.Equal(11, capabilities.Keywords.Count);
        Assert.Equal("PLAIN LOGIN", capabilities.Keywords["AUTH"]);
    }

    [Fact]
    public void Smtp_sink_reply_with_bare_last_line_is_understood()
    {
        var capabilities = FromWire(SmtpSamples.SmtpSinkEhlo);

        Assert.Equal("smtp-sink", capabilities.ServerDomain);
        Assert.True(capabilities.Pipelining);
        Assert.True(capabilities.EightBitMime);
        Assert.True(capabilities.EnhancedStatusCodes);
        Assert.True(capabilities.Dsn);
        Assert.False(capabilities.StartTls);
        Assert.False(capabilities.Chunking);
        Assert.Null(capabilities.MaxSize);
        Assert.Equal("NAME ADDR PROTO HELO", capabilities.GetParameter("XFORWARD"));
        Assert.Equal(7, capabilities.Keywords.Count);
        Assert.DoesNotContain(string.Empty, capabilities.Keywords.Keys);
    }

    [Fact]
    public void First_line_gives_domain_and_greeting()
    {
        var capabilities = FromLines("mx.example.test Hello client.test [127.0.0.1], pleased to meet you", "PIPELINING");

        Assert.Equal("mx.example.test", capabilities.ServerDomain);
        Assert.Equal("Hello client.test [127.0.0.1], pleased to meet you", capabilities.Greeting);
    }

    [Fact]
    public void Empty_first_line_gives_no_domain()
    {
        Assert.Null(FromLines(string.Empty, "DSN").ServerDomain);
    }

    [Fact]
    public void Legacy_auth_equals_line_alone_gives_mechanisms()
    {
        var capabilities = FromLines("old.example.test", "AUTH=LOGIN PLAIN");

        Assert.Equal(["LOGIN", "PLAIN"], capabilities.AuthMechanisms);
        Assert.True(capabilities.Supports("AUTH"));
        Assert.Equal("LOGIN PLAIN", capabilities.GetParameter("AUTH"));
    }

    [Fact]
    public void Standard_and_legacy_auth_lines_merge_mechanisms_and_the_standard_parameters_win()
    {
        var capabilities = FromLines("x.test", "AUTH=LOGIN", "AUTH cram-md5 login PLAIN", "AUTH=XOAUTH2");

        Assert.Equal(["LOGIN", "CRAM-MD5", "PLAIN", "XOAUTH2"], capabilities.AuthMechanisms);
        Assert.Equal("cram-md5 login PLAIN", capabilities.GetParameter("AUTH"));
    }

    [Theory]
    [InlineData("SIZE", null)]
    [InlineData("SIZE 0", 0L)]
    [InlineData("SIZE 52428800", 52_428_800L)]
    [InlineData("SIZE  35882577  ", 35_882_577L)]
    [InlineData("size 1000", 1000L)]
    [InlineData("SIZE abc", null)]
    [InlineData("SIZE -5", null)]
    [InlineData("SIZE 99999999999999999999999", null)]
    [InlineData("PIPELINING", null)]
    public void Size_variants(string line, long? expected)
    {
        Assert.Equal(expected, FromLines("x.test", line).MaxSize);
    }

    [Fact]
    public void Keywords_are_upper_cased_and_looked_up_without_regard_to_case()
    {
        var capabilities = FromLines("x.test", "pipelining", "XCLIENT name addr");

        Assert.True(capabilities.Supports("PIPELINING"));
        Assert.True(capabilities.Supports("Pipelining"));
        Assert.True(capabilities.Pipelining);
        Assert.Contains("PIPELINING", capabilities.Keywords.Keys);
        Assert.Equal("name addr", capabilities.GetParameter("xclient"));
        Assert.Equal(string.Empty, capabilities.GetParameter("PIPELINING"));
        Assert.Null(capabilities.GetParameter("CHUNKING"));
        Assert.False(capabilities.Supports("CHUNKING"));
    }

    [Fact]
    public void Blank_lines_are_ignored_and_the_first_announcement_of_a_keyword_wins()
    {
        var capabilities = FromLines("x.test", "   ", "SIZE 100", string.Empty, "SIZE 200", "BINARYMIME", "CHECKPOINT", "XVERP");

        Assert.Equal(100, capabilities.MaxSize);
        Assert.True(capabilities.BinaryMime);
        Assert.True(capabilities.Checkpoint);
        Assert.True(capabilities.Xverp);
        Assert.Equal(4, capabilities.Keywords.Count);
    }

    [Fact]
    public void None_knows_nothing()
    {
        var none = SmtpCapabilities.None;

        Assert.Null(none.ServerDomain);
        Assert.Empty(none.Keywords);
        Assert.Empty(none.AuthMechanisms);
        Assert.Null(none.MaxSize);
        Assert.False(none.Pipelining);
        Assert.False(none.Supports("PIPELINING"));
    }

    [Fact]
    public void Helo_reply_gives_only_the_domain()
    {
        var capabilities = SmtpCapabilities.FromHeloReply(SmtpReply.Create(250, "mail.example.test"));

        Assert.Equal("mail.example.test", capabilities.ServerDomain);
        Assert.Empty(capabilities.Keywords);
    }

    [Fact]
    public void Negative_reply_is_not_a_capability_list()
    {
        var reply = SmtpReply.Create(502, "5.5.1 Error: command not recognized");

        Assert.Throws<MailArgumentException>(() => SmtpCapabilities.FromEhloReply(reply));
        Assert.Throws<MailArgumentException>(() => SmtpCapabilities.FromHeloReply(reply));
    }

    [Fact]
    public void Keywords_cannot_be_changed_through_a_cast()
    {
        var keywords = FromLines("x.test", "DSN").Keywords;

        Assert.False(keywords is IDictionary<string, string> { IsReadOnly: false });
    }
}
