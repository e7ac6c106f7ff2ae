using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class SmtpPathTests
{
    [Theory]
    [InlineData("<alice@example.test>")]
    [InlineData("<a@b>")]
    [InlineData("<first.last@sub.example.test>")]
    [InlineData("<user+tag@example.test>")]
    [InlineData("<!#$%&'*+-/=?^_`{|}~@example.test>")]
    [InlineData("<alice@localhost>")]
    [InlineData("<alice@123.example>")]
    [InlineData("<alice@x-y.example.test>")]
    [InlineData("<\"john doe\"@example.test>")]
    [InlineData("<\"\"@example.test>")]
    [InlineData("<\"a\\\"b\"@example.test>")]
    [InlineData("<\"a\\\\b\"@example.test>")]
    [InlineData("<\"a@b\"@example.test>")]
    [InlineData("<alice@[192.0.2.1]>")]
    [InlineData("<alice@[IPv6:2001:db8::1]>")]
    [InlineData("<alice@[ipv6:::1]>")]
    [InlineData("<alice@[IPv6:::ffff:192.0.2.1]>")]
    [InlineData("<@relay.example.test:alice@example.test>")]
    [InlineData("<@a.test,@b.test:alice@example.test>")]
    [InlineData("<用户@例子.测试>")]
    [InlineData("<jörg@bücher.example>")]
    [InlineData("<\"grüße\"@example.test>")]
    [InlineData("<😀@example.test>")]
    public void Valid_paths(string path)
    {
        SmtpPath.Validate(path, allowNull: false);
        Assert.True(SmtpPath.IsValid(path, allowNull: false));
    }

    [Theory]
    [InlineData("", "angle brackets")]
    [InlineData("alice@example.test", "angle brackets")]
    [InlineData("<alice@example.test", "angle brackets")]
    [InlineData("< alice@example.test>", "' '")]
    [InlineData("<alice@example.test >", "' '")]
    [InlineData("<alice>", "no '@domain'")]
    [InlineData("<@example.test>", "")]
    [InlineData("<alice@>", "domain")]
    [InlineData("<alice@@example.test>", "'@'")]
    [InlineData("<.alice@example.test>", "dot")]
    [InlineData("<alice.@example.test>", "dot")]
    [InlineData("<al..ice@example.test>", "dot")]
    [InlineData("<al ice@example.test>", "' '")]
    [InlineData("<al(ice@example.test>", "'('")]
    [InlineData("<al,ice@example.test>", "','")]
    [InlineData("<\"unclosed@example.test>", "not closed")]
    [InlineData("<\"tab\there\"@example.test>", "U+0009")]
    [InlineData("<alice@example..test>", "")]
    [InlineData("<alice@example.test.>", "")]
    [InlineData("<alice@-example.test>", "'-'")]
    [InlineData("<alice@example-.test>", "'-'")]
    [InlineData("<alice@exa_mple.test>", "'_'")]
    [InlineData("<alice@[192.0.2.256]>", "IPv4")]
    [InlineData("<alice@[192.0.2]>", "IPv4")]
    [InlineData("<alice@[1]>", "IPv4")]
    [InlineData("<alice@[IPv6:2001:db8::g]>", "IPv6")]
    [InlineData("<alice@[IPv6:192.0.2.1]>", "IPv6")]
    [InlineData("<alice@[IPv6:fe80::1%eth0]>", "IPv6")]
    [InlineData("<alice@[x-tag:stuff]>", "")]
    [InlineData("<alice@[192.0.2.1]x>", "")]
    [InlineData("<alice@[192.0.2.1>", "not closed")]
    [InlineData("<@relay.test alice@example.test>", "source route")]
    [InlineData("<@relay.test,alice@example.test>", "source route")]
    [InlineData("<a\u0001@example.test>", "U+0001")]
    [InlineData("<a\u0085@example.test>", "U+0085")]
    [InlineData("<alice@example.test><bob@example.test>", "")]
    [InlineData("<>", "null path")]
    public void Invalid_paths_are_refused_with_a_reason(string path, string reason)
    {
        var error = Assert.Throws<MailArgumentException>(() => SmtpPath.Validate(path, allowNull: false));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal("path", error.ParamName);
        Assert.False(SmtpPath.IsValid(path, allowNull: false));
    }

    [Fact]
    public void Lone_surrogates_are_refused_because_they_have_no_utf8_form()
    {
        // Built at run time: attribute arguments are stored as UTF-8 and would turn the surrogate into U+FFFD.
        var lone = "<a" + (char)0xD800 + "@example.test>";

        var error = Assert.Throws<MailArgumentException>(() => SmtpPath.Validate(lone, allowNull: false));

        Assert.Contains("U+D800", error.Message, StringComparison.Ordinal);
        Assert.True(SmtpPath.IsValid("<a" + char.ConvertFromUtf32(0x1F600) + "@example.test>", allowNull: false));
    }

    [Theory]
    [InlineData("<alice@example.test>\r\n")]
    [InlineData("<alice\n@example.test>")]
    [InlineData("<alice\0@example.test>")]
    public void Line_breaking_characters_are_refused(string path)
    {
        var error = Assert.Throws<MailArgumentException>(() => SmtpPath.Validate(path, allowNull: true));

        Assert.Contains("'path'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_path_only_where_allowed()
    {
        SmtpPath.Validate("<>", allowNull: true);
        Assert.Throws<MailArgumentException>(() => SmtpPath.Validate("<>", allowNull: false));
    }

    [Theory]
    [InlineData("alice@example.test", "<alice@example.test>")]
    [InlineData("  alice@example.test\t", "<alice@example.test>")]
    [InlineData("<alice@example.test>", "<alice@example.test>")]
    [InlineData("Alice Example <alice@example.test>", "<alice@example.test>")]
    [InlineData("\"Example, Alice\" <alice@example.test> (work)", "<alice@example.test>")]
    [InlineData("\"funny user\"@example.test", "<\"funny user\"@example.test>")]
    [InlineData("", "<>")]
    [InlineData("<>", "<>")]
    public void To_path_extracts_or_wraps_like_net_smtp(string address, string path)
    {
        Assert.Equal(path, SmtpPath.ToPath(address));
    }

    [Theory]
    [InlineData("<alice@example.test>", "<alice@example.test>")]
    [InlineData("  <alice@example.test>  ", "<alice@example.test>")]
    [InlineData("alice@example.test", "<alice@example.test>")]
    [InlineData("\"funny user\"@example.test", "<\"funny user\"@example.test>")]
    [InlineData("<\"funny user\"@example.test>", "<\"funny user\"@example.test>")]
    [InlineData("", "<>")]
    public void To_path_with_exact_addresses_only_wraps(string address, string path)
    {
        Assert.Equal(path, SmtpPath.ToPath(address, exactAddresses: true));
    }

    [Theory]
    [InlineData("Alice Example <alice@example.test>")]
    [InlineData("funny user@example.test")]
    [InlineData("<alice@example.test> trailing")]
    public void To_path_with_exact_addresses_extracts_nothing(string address)
    {
        Assert.Throws<MailArgumentException>(() => SmtpPath.ToPath(address, exactAddresses: true));
    }

    [Theory]
    [InlineData("funny user@example.test")]
    [InlineData("Alice <alice>")]
    [InlineData("not an address")]
    [InlineData("Alice\r\n <alice@example.test>")]
    public void To_path_refuses_what_cannot_become_a_path(string address)
    {
        var error = Assert.Throws<MailArgumentException>(() => SmtpPath.ToPath(address));

        Assert.Equal("address", error.ParamName);
    }

    [Theory]
    [InlineData("funny user@example.test", false)]
    [InlineData("Alice <alice>", false)]
    [InlineData("Alice\r\n <alice@example.test>", false)]
    [InlineData("Alice Example <alice@example.test>", true)]
    [InlineData("<alice@example.test> trailing", true)]
    [InlineData("<alice@example.test", false)]
    [InlineData("postmaster", false)]
    public void Validate_sender_refuses_exactly_what_to_path_refuses(string address, bool exactAddresses)
    {
        var expected = Assert.Throws<MailArgumentException>(() => SmtpPath.ToPath(address, exactAddresses));

        var error = Assert.Throws<MailArgumentException>(() => SmtpPath.ValidateSender(address, exactAddresses));

        Assert.Equal(expected.Message, error.Message);
        Assert.Equal("address", error.ParamName);
    }

    [Theory]
    [InlineData("alice@example.test")]
    [InlineData(" <alice@example.test> ")]
    [InlineData("Alice Example <alice@example.test>")]
    [InlineData("")]
    [InlineData("<>")]
    [InlineData(" <> ")]
    public void Validate_sender_accepts_what_to_path_accepts(string address)
    {
        SmtpPath.ToPath(address);

        var error = Record.Exception(() => SmtpPath.ValidateSender(address));

        Assert.Null(error);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("<>", false)]
    [InlineData("  ", true)]
    [InlineData("Nobody <>", false)]
    [InlineData("funny user@example.test", false)]
    [InlineData("<alice@example.test", false)]
    [InlineData("postmaster@", false)]
    [InlineData("Alice\r\n <alice@example.test>", false)]
    public void Validate_recipient_refuses_exactly_what_to_recipient_path_refuses(string address, bool exactAddresses)
    {
        var expected = Assert.Throws<MailArgumentException>(() => SmtpPath.ToRecipientPath(address, exactAddresses));

        var error = Assert.Throws<MailArgumentException>(() => SmtpPath.ValidateRecipient(address, exactAddresses));

        Assert.Equal(expected.Message, error.Message);
        Assert.Equal("address", error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<>")]
    [InlineData("Nobody <>")]
    public void A_recipient_is_never_the_null_path(string address)
    {
        var error = Assert.Throws<MailArgumentException>(() => SmtpPath.ToRecipientPath(address));

        Assert.Contains("null path", error.Message, StringComparison.Ordinal);
        Assert.Equal("<>", SmtpPath.ToPath(address)); // the same text is a valid sender: the null reverse-path
    }

    [Theory]
    [InlineData("postmaster", "<postmaster>")]
    [InlineData("<Postmaster>", "<Postmaster>")]
    [InlineData(" POSTMASTER ", "<POSTMASTER>")]
    [InlineData("alice@example.test", "<alice@example.test>")]
    [InlineData("Alice Example <alice@example.test>", "<alice@example.test>")]
    public void Recipient_paths_include_postmaster_without_a_domain(string address, string expected)
    {
        Assert.Equal(expected, SmtpPath.ToRecipientPath(address));
        Assert.Null(Record.Exception(() => SmtpPath.ValidateRecipient(address)));
        Assert.Equal("RCPT TO:" + expected, SmtpCommand.RcptTo(expected).Line);
    }

    [Theory]
    [InlineData("alice@example.test", "example.test")]
    [InlineData("Alice <alice@Example.Test>", "Example.Test")]
    [InlineData("<\"a@b\"@example.test>", "example.test")]
    [InlineData("<@relay.test:alice@example.test>", "example.test")]
    [InlineData("alice@[192.0.2.1]", "[192.0.2.1]")]
    [InlineData("postmaster", "")]
    public void Domain_of_a_recipient(string address, string domain)
    {
        Assert.Equal(domain, SmtpPath.DomainOf(address));
    }

    [Theory]
    [InlineData("alice@example.test", "example.test")]
    [InlineData(" <alice@Example.Test> ", "Example.Test")]
    [InlineData("\"a <b@x.test>\"@example.test", "example.test")]
    [InlineData("<\"a <b>\"@example.test>", "example.test")]
    [InlineData("postmaster", "")]
    public void Domain_of_a_recipient_taken_as_written(string address, string domain)
    {
        Assert.Equal(domain, SmtpPath.DomainOf(address, exactAddresses: true));
        Assert.True(SmtpPath.TryDomainOf(address, exactAddresses: true, out var tried));
        Assert.Equal(domain, tried);
    }

    [Theory]
    [InlineData("Alice <alice@example.test>", true)]
    [InlineData("\"a <b>\"@example.test", false)]
    [InlineData("not an address", false)]
    [InlineData("a@example.test\r\nRSET", false)]
    [InlineData("<>", true)]
    public void Try_domain_of_is_false_where_the_recipient_is_refused_in_that_mode(string address, bool exactAddresses)
    {
        Assert.False(SmtpPath.TryDomainOf(address, exactAddresses, out var domain));
        Assert.Null(domain);
        Assert.Throws<MailArgumentException>(() => SmtpPath.DomainOf(address, exactAddresses));
    }

    [Fact]
    public void To_path_returns_the_callers_string_when_it_already_is_the_path()
    {
        var path = string.Concat("<alice", "@example.test>");

        Assert.Same(path, SmtpPath.ToPath(path));
        Assert.Same(path, SmtpPath.ToPath(path, exactAddresses: true));
        Assert.NotSame(path, SmtpPath.ToPath(" " + path));
    }

    [Theory]
    [InlineData("<alice@example.test>", false)]
    [InlineData("<>", false)]
    [InlineData("<jörg@example.test>", true)]
    [InlineData("<alice@例子.测试>", true)]
    public void Requires_smtputf8_when_any_character_is_not_ascii(string path, bool expected)
    {
        Assert.Equal(expected, SmtpPath.RequiresSmtpUtf8(path));
    }
}
