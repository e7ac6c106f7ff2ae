using System.Text;
using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class SmtpReplyTests
{
    [Fact]
    public void Text_joins_lines_with_newline_and_keeps_the_enhanced_code()
    {
        var reply = SmtpReply.Create(550, "5.1.1 <x@example.test>: rejected", "5.1.1 User unknown");

        Assert.Equal("5.1.1 <x@example.test>: rejected\n5.1.1 User unknown", reply.Text);
        Assert.Equal(new EnhancedStatusCode(5, 1, 1), reply.EnhancedCode);
    }

    [Fact]
    public void ToString_is_the_wire_form_with_crlf_after_every_line()
    {
        Assert.Equal("250-a\r\n250 b\r\n", SmtpReply.Create(250, "a", "b").ToString());
        Assert.Equal("354 go ahead\r\n", SmtpReply.Create(354, "go ahead").ToString());
        Assert.Equal("250-x\r\n250-\r\n250\r\n", SmtpReply.Create(250, "x", string.Empty, string.Empty).ToString());
    }

    [Fact]
    public void Wire_bytes_are_the_utf8_of_the_wire_form()
    {
        var reply = SmtpReply.Create(250, "grüße");

        Assert.Equal(Encoding.UTF8.GetBytes("250 grüße\r\n"), reply.ToWireBytes());
    }

    [Fact]
    public void Wire_form_parses_back_to_an_equal_reply()
    {
        var reply = SmtpReply.Create(250, "mail.example.test", "PIPELINING", string.Empty);

        Assert.Equal(reply, Assert.Single(ReplyFeeder.ParseAll(reply.ToString())));
    }

    [Theory]
    [InlineData(220, true, false, false, false)]
    [InlineData(250, true, false, false, false)]
    [InlineData(334, false, true, false, false)]
    [InlineData(354, false, true, false, false)]
    [InlineData(421, false, false, true, false)]
    [InlineData(452, false, false, true, false)]
    [InlineData(500, false, false, false, true)]
    [InlineData(554, false, false, false, true)]
    public void Classification_follows_the_first_digit(int code, bool completion, bool intermediate, bool transient, bool permanent)
    {
        var reply = SmtpReply.Create(code, "text");

        Assert.Equal(completion, reply.IsPositiveCompletion);
        Assert.Equal(intermediate, reply.IsPositiveIntermediate);
        Assert.Equal(transient, reply.IsTransientNegative);
        Assert.Equal(permanent, reply.IsPermanentNegative);
    }

    [Fact]
    public void Equality_compares_code_and_lines_by_value()
    {
        var a = new SmtpReply(250, new List<string> { "a", "b" });
        var b = SmtpReply.Create(250, "a", "b");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, SmtpReply.Create(250, "a", "c"));
        Assert.NotEqual(a, SmtpReply.Create(251, "a", "b"));
        Assert.NotEqual(a, SmtpReply.Create(250, "a"));
    }

    [Fact]
    public void Create_copies_the_lines_so_later_changes_do_not_leak_in()
    {
        var lines = new[] { "a", "b" };
        var reply = SmtpReply.Create(250, lines);

        lines[0] = "changed";

        Assert.Equal("a", reply.Lines[0]);
    }

    [Fact]
    public void Create_without_lines_gives_one_empty_line()
    {
        Assert.Equal([string.Empty], SmtpReply.Create(250).Lines);
    }

    [Fact]
    public void Deconstruct_gives_code_and_lines()
    {
        var (code, lines) = SmtpReply.Create(221, "Bye");

        Assert.Equal(221, code);
        Assert.Equal(["Bye"], lines);
    }

    [Theory]
    [InlineData(199)]
    [InlineData(600)]
    [InlineData(0)]
    public void Codes_outside_200_to_599_are_refused(int code)
    {
        Assert.Throws<MailArgumentException>(() => SmtpReply.Create(code, "x"));
    }

    [Theory]
    [InlineData("a\r\n250 injected")]
    [InlineData("a\nb")]
    [InlineData("a\0")]
    public void Lines_that_could_not_be_written_back_are_refused(string line)
    {
        Assert.Throws<MailArgumentException>(() => SmtpReply.Create(250, line));
    }

    [Fact]
    public void A_reply_without_lines_is_refused()
    {
        Assert.Throws<MailArgumentException>(() => new SmtpReply(250, []));
    }
}
