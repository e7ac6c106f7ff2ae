namespace MailActors.Testing.Tests;

public sealed class FaultSpecTests
{
    [Fact]
    public void Reply_with_every_nth_parses_into_one_rule_per_command()
    {
        var rules = FaultSpec.Parse("MAIL,RCPT:reply:451 4.3.0 try later;every=3;times=2");
        Assert.Equal(["MAIL", "RCPT"], rules.Select(rule => rule.Command));
        Assert.All(rules, rule =>
        {
            Assert.Equal(FaultAction.Reply("451 4.3.0 try later"), rule.Action);
            Assert.Equal(3, rule.EveryNth);
            Assert.Equal(2, rule.Times);
        });
    }

    [Theory]
    [InlineData(".:disconnect", DisconnectPoint.BeforeReply)]
    [InlineData("RCPT:disconnect-after", DisconnectPoint.AfterReply)]
    [InlineData(".:drop-reply", DisconnectPoint.AfterExecutingWithoutReply)]
    public void Disconnect_actions_parse(string spec, DisconnectPoint point) =>
        Assert.Equal(FaultAction.Disconnect(point), Assert.Single(FaultSpec.Parse(spec)).Action);

    [Fact]
    public void Other_actions_and_options_parse()
    {
        var delay = Assert.Single(FaultSpec.Parse("DATA:delay:2s;p=0.25;seed=7"));
        Assert.Equal(FaultAction.Delay(TimeSpan.FromSeconds(2)), delay.Action);
        Assert.Equal(0.25, delay.Probability);
        Assert.Equal(7, delay.Seed);
        Assert.Equal(FaultAction.Delay(TimeSpan.FromMilliseconds(150)), Assert.Single(FaultSpec.Parse("EHLO:delay:150ms")).Action);
        Assert.IsType<TarpitFault>(Assert.Single(FaultSpec.Parse("CONNECT:tarpit")).Action);
        Assert.Equal(FaultAction.OverlongLine(5000), Assert.Single(FaultSpec.Parse("EHLO:overlong:5000")).Action);
        Assert.Equal(FaultAction.UnterminatedMultiline(null), Assert.Single(FaultSpec.Parse("LIST:unterminated")).Action);
        Assert.Equal(FaultAction.UnterminatedMultiline(10), Assert.Single(FaultSpec.Parse("LIST:unterminated:10")).Action);
        var garbage = Assert.IsType<GarbageFault>(Assert.Single(FaultSpec.Parse(@"NOOP:garbage:xyz\r\n")).Action);
        Assert.Equal("xyz\r\n"u8.ToArray(), garbage.Bytes.ToArray());

        var matched = Assert.Single(FaultSpec.Parse("RCPT:reply:550 5.1.1 no;match=bounce@"));
        Assert.True(matched.Match!("TO:<Bounce@example.test>"));
        Assert.False(matched.Match!("TO:<ok@example.test>"));
    }

    [Theory]
    [InlineData("5", 5_000)]
    [InlineData("0.25", 250)]
    [InlineData("2s", 2_000)]
    [InlineData("150ms", 150)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    public void A_delay_is_in_seconds_unless_a_unit_says_otherwise(string duration, int milliseconds) =>
        Assert.Equal(FaultAction.Delay(TimeSpan.FromMilliseconds(milliseconds)), Assert.Single(FaultSpec.Parse($"DATA:delay:{duration}")).Action);

    [Theory]
    [InlineData("RCPT")]
    [InlineData("RCPT:explode")]
    [InlineData("RCPT:reply:")]
    [InlineData("RCPT:delay:soon")]
    [InlineData("RCPT:tarpit;every=x")]
    [InlineData("RCPT:tarpit;p=2")]
    [InlineData("RCPT:tarpit;color=red")]
    [InlineData("RCPT:tarpit;every=0")]
    [InlineData("RCPT:tarpit;times=0")]
    [InlineData("RCPT:tarpit;p=0")]
    [InlineData("RCPT:delay:0")]
    [InlineData("RCPT:delay:-1s")]
    public void Bad_specs_are_rejected(string spec) => Assert.Throws<FormatException>(() => FaultSpec.Parse(spec));

    [Fact]
    public void A_rule_allowed_to_fire_zero_times_is_refused_naming_it()
    {
        const string spec = "RCPT:reply:451 4.3.0 try later;times=0";

        var error = Assert.Throws<FormatException>(() => FaultSpec.Parse(spec));

        Assert.Contains($"times=0 in fault spec '{spec}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void A_rule_built_in_code_with_times_below_one_is_refused(int times)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FaultRule { Command = "RCPT", Action = FaultAction.Tarpit(), Times = times });

        Assert.Equal(nameof(FaultRule.Times), error.ParamName);
        Assert.Equal(times, error.ActualValue);
        Assert.Contains("at least 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void A_rule_built_in_code_with_every_nth_below_one_is_refused(int everyNth)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FaultRule { Command = "RCPT", Action = FaultAction.Tarpit(), EveryNth = everyNth });

        Assert.Equal(nameof(FaultRule.EveryNth), error.ParamName);
        Assert.Contains("at least 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_rule_built_in_code_with_a_probability_outside_zero_to_one_is_refused(double probability)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FaultRule { Command = "RCPT", Action = FaultAction.Tarpit(), Probability = probability });

        Assert.Equal(nameof(FaultRule.Probability), error.ParamName);
        Assert.Contains("above 0 and at most 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parsed_rules_drive_a_server()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = FaultSpec.Parse("RCPT:reply:452 4.2.2 over quota;every=2") });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Equal("452 4.2.2 over quota", (await client.CommandAsync("RCPT TO:<c@example.test>")).Last);
    }
}
