using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class EsmtpParameterTests
{
    private const string From = "<alice@example.test>";
    private const string To = "<bob@example.test>";

    private static string Mail(MailParameters parameters) => SmtpCommand.MailFrom(From, parameters).Line;

    private static string Rcpt(RecipientParameters parameters) => SmtpCommand.RcptTo(To, parameters).Line;

    [Fact]
    public void All_mail_parameters_appear_in_the_documented_order()
    {
        var parameters = new MailParameters
        {
            Extra = ["MT-PRIORITY=3", "HOLDFOR=60"],
            Xverp = true,
            TransactionId = "abc.123@client.example.test",
            Auth = "alice+x@example.test",
            EnvelopeId = "QQ314159 id=1",
            Return = DsnReturn.Headers,
            SmtpUtf8 = true,
            Body = BodyType.EightBitMime,
            Size = 12345,
        };

        Assert.Equal(
            "MAIL FROM:<alice@example.test> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159+20id+3D1 " +
            "AUTH=alice+2Bx@example.test TRANSID=<abc.123@client.example.test> XVERP MT-PRIORITY=3 HOLDFOR=60",
            Mail(parameters));
    }

    [Fact]
    public void Empty_parameters_add_nothing()
    {
        Assert.Equal("MAIL FROM:<alice@example.test>", Mail(new MailParameters()));
        Assert.Equal("RCPT TO:<bob@example.test>", Rcpt(new RecipientParameters()));
    }

    [Theory]
    [InlineData(0L, " SIZE=0")]
    [InlineData(10_240_000L, " SIZE=10240000")]
    public void Size(long size, string expected)
    {
        Assert.EndsWith(expected, Mail(new MailParameters { Size = size }), StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_size_is_refused()
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Size = -1 }));
    }

    [Theory]
    [InlineData(BodyType.SevenBit, " BODY=7BIT")]
    [InlineData(BodyType.EightBitMime, " BODY=8BITMIME")]
    [InlineData(BodyType.BinaryMime, " BODY=BINARYMIME")]
    public void Body(BodyType body, string expected)
    {
        Assert.EndsWith(expected, Mail(new MailParameters { Body = body }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DsnReturn.Full, " RET=FULL")]
    [InlineData(DsnReturn.Headers, " RET=HDRS")]
    public void Return(DsnReturn ret, string expected)
    {
        Assert.EndsWith(expected, Mail(new MailParameters { Return = ret }), StringComparison.Ordinal);
    }

    [Fact]
    public void Undefined_enum_values_are_refused()
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Body = (BodyType)42 }));
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Return = (DsnReturn)42 }));
    }

    [Theory]
    [InlineData("simple-id", " ENVID=simple-id")]
    [InlineData("a+b=c d", " ENVID=a+2Bb+3Dc+20d")]
    [InlineData("ü", " ENVID=+C3+BC")]
    public void Envelope_id_is_xtext_encoded(string envelopeId, string expected)
    {
        Assert.EndsWith(expected, Mail(new MailParameters { EnvelopeId = envelopeId }), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_envelope_id_is_refused()
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { EnvelopeId = string.Empty }));
    }

    [Theory]
    [InlineData("<>", " AUTH=<>")]
    [InlineData("", " AUTH=<>")]
    [InlineData("alice@example.test", " AUTH=alice@example.test")]
    [InlineData("<alice@example.test>", " AUTH=alice@example.test")]
    [InlineData("a=b+c@example.test", " AUTH=a+3Db+2Bc@example.test")]
    [InlineData("\"john doe\"@example.test", " AUTH=\"john+20doe\"@example.test")]
    public void Auth_submitter_is_xtext_encoded_or_null(string auth, string expected)
    {
        Assert.EndsWith(expected, Mail(new MailParameters { Auth = auth }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a mailbox")]
    [InlineData("alice")]
    public void Auth_submitter_must_be_a_mailbox(string auth)
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Auth = auth }));
    }

    [Theory]
    [InlineData("id1@client.test", " TRANSID=<id1@client.test>")]
    [InlineData("<id1@client.test>", " TRANSID=<id1@client.test>")]
    public void Transaction_id_is_sent_in_angle_brackets(string id, string expected)
    {
        Assert.EndsWith(expected, Mail(new MailParameters { TransactionId = id }), StringComparison.Ordinal);
    }

    [Fact]
    public void Transaction_id_must_look_like_local_at_domain()
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { TransactionId = "just-an-id" }));
    }

    [Fact]
    public void Flags_without_values()
    {
        Assert.Equal("MAIL FROM:<alice@example.test> XVERP", Mail(new MailParameters { Xverp = true }));
        Assert.Equal("MAIL FROM:<alice@example.test> SMTPUTF8", Mail(new MailParameters { SmtpUtf8 = true }));
    }

    [Theory]
    [InlineData("KEY=VALUE")]
    [InlineData("FLAG")]
    [InlineData("X-1=ä")]
    public void Extra_parameters_pass_through(string extra)
    {
        Assert.EndsWith(" " + extra, Mail(new MailParameters { Extra = [extra] }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("=VALUE")]
    [InlineData("KEY=")]
    [InlineData("KEY=a b")]
    [InlineData("KEY=a=b")]
    [InlineData("-KEY=1")]
    [InlineData("K_EY=1")]
    [InlineData("KEY=\u0001")]
    [InlineData("KEY=x\r\nRSET")]
    public void Malformed_extra_parameters_are_refused(string extra)
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Extra = [extra] }));
    }

    [Fact]
    public void Extra_parameter_may_not_repeat_one_already_sent()
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Size = 1, Extra = ["size=2"] }));
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Extra = ["A=1", "a=2"] }));
    }

    [Theory]
    [InlineData(DsnNotify.Never, " NOTIFY=NEVER")]
    [InlineData(DsnNotify.Success, " NOTIFY=SUCCESS")]
    [InlineData(DsnNotify.Failure, " NOTIFY=FAILURE")]
    [InlineData(DsnNotify.Delay, " NOTIFY=DELAY")]
    [InlineData(DsnNotify.Failure | DsnNotify.Delay, " NOTIFY=FAILURE,DELAY")]
    [InlineData(DsnNotify.Delay | DsnNotify.Success | DsnNotify.Failure, " NOTIFY=SUCCESS,FAILURE,DELAY")]
    public void Notify_values(DsnNotify notify, string expected)
    {
        Assert.Equal("RCPT TO:<bob@example.test>" + expected, Rcpt(new RecipientParameters { Notify = notify }));
    }

    [Theory]
    [InlineData(DsnNotify.Never | DsnNotify.Success)]
    [InlineData(DsnNotify.Never | DsnNotify.Failure)]
    [InlineData(DsnNotify.Never | DsnNotify.Delay)]
    [InlineData(DsnNotify.Never | DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay)]
    [InlineData((DsnNotify)16)]
    [InlineData(DsnNotify.Success | (DsnNotify)32)]
    public void Notify_never_combined_or_unknown_flags_are_refused(DsnNotify notify)
    {
        Assert.Throws<MailArgumentException>(() => Rcpt(new RecipientParameters { Notify = notify }));
    }

    [Theory]
    [InlineData("carol@example.test", " ORCPT=rfc822;carol@example.test")]
    [InlineData("<carol@example.test>", " ORCPT=rfc822;carol@example.test")]
    [InlineData("c+tag=1@example.test", " ORCPT=rfc822;c+2Btag+3D1@example.test")]
    [InlineData("用户@例子.测试", " ORCPT=utf-8;\\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.\\x{6D4B}\\x{8BD5}")]
    [InlineData("a+ü@example.test", " ORCPT=utf-8;a\\x{2B}\\x{FC}@example.test")]
    public void Original_recipient_is_encoded_for_its_character_set(string original, string expected)
    {
        Assert.EndsWith(expected, Rcpt(new RecipientParameters { OriginalRecipient = original }), StringComparison.Ordinal);
    }

    [Fact]
    public void Notify_comes_before_orcpt()
    {
        var line = Rcpt(new RecipientParameters { OriginalRecipient = "carol@example.test", Notify = DsnNotify.Success | DsnNotify.Failure });

        Assert.Equal("RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;carol@example.test", line);
    }

    [Fact]
    public void Raw_original_recipient_is_sent_as_given()
    {
        var line = Rcpt(new RecipientParameters { OriginalRecipientRaw = "rfc822;carol+2Bx@example.test" });

        Assert.Equal("RCPT TO:<bob@example.test> ORCPT=rfc822;carol+2Bx@example.test", line);
    }

    [Theory]
    [InlineData("carol@example.test")]
    [InlineData(";carol@example.test")]
    [InlineData("rfc822;")]
    [InlineData("rfc822;carol @example.test")]
    [InlineData("rfc822;a=b@example.test")]
    [InlineData("rfc 822;carol@example.test")]
    public void Malformed_raw_original_recipient_is_refused(string raw)
    {
        Assert.Throws<MailArgumentException>(() => Rcpt(new RecipientParameters { OriginalRecipientRaw = raw }));
    }

    [Fact]
    public void Raw_envelope_id_and_auth_are_sent_as_given()
    {
        var line = Mail(new MailParameters { EnvelopeIdRaw = "x+E9y", AuthRaw = "a+e9b@example.test" });

        Assert.Equal("MAIL FROM:<alice@example.test> ENVID=x+E9y AUTH=a+e9b@example.test", line);
    }

    [Fact]
    public void Envelope_id_or_auth_in_both_forms_is_refused()
    {
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { EnvelopeId = "x", EnvelopeIdRaw = "x" }));
        Assert.Throws<MailArgumentException>(() => Mail(new MailParameters { Auth = "a@example.test", AuthRaw = "a@example.test" }));
    }

    [Fact]
    public void Original_recipient_in_both_forms_is_refused()
    {
        var parameters = new RecipientParameters { OriginalRecipient = "a@example.test", OriginalRecipientRaw = "rfc822;a@example.test" };

        Assert.Throws<MailArgumentException>(() => Rcpt(parameters));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<>")]
    public void Empty_original_recipient_is_refused(string original)
    {
        Assert.Throws<MailArgumentException>(() => Rcpt(new RecipientParameters { OriginalRecipient = original }));
    }
}
