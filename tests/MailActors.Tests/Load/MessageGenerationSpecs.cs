using System.Text;
using MailActors.Load;
using MailActors.Protocol.Integrity;

namespace MailActors.Tests.Load;

/// <summary>Address templates, size distributions and the message factory.</summary>
public sealed class MessageGenerationSpecs
{
    [Theory]
    [InlineData("user{n}@example.test", 42, 3, 2, "user42@example.test")]
    [InlineData("user{n%10}@example.test", 42, 3, 2, "user2@example.test")]
    [InlineData("s{s}-r{r}@d.test", 42, 3, 2, "s3-r2@d.test")]
    [InlineData("fixed@example.test", 42, 3, 2, "fixed@example.test")]
    public void Templates_expand_their_counters(string template, long message, long session, long recipient, string expected) =>
        Assert.Equal(expected, AddressTemplate.Parse(template).Expand(message, session, recipient));

    [Theory]
    [InlineData("user{x}@d")]
    [InlineData("user{n%0}@d")]
    [InlineData("user{n@d")]
    [InlineData("user{n%x}@d")]
    public void Malformed_templates_are_refused(string template) =>
        Assert.Throws<FormatException>(() => AddressTemplate.Parse(template));

    [Theory]
    [InlineData("2048", 2048)]
    [InlineData("2k", 2048)]
    [InlineData("2KB", 2048)]
    [InlineData("1.5k", 1536)]
    [InlineData("1m", 1048576)]
    public void Sizes_parse_with_suffixes(string text, int expected) => Assert.Equal(expected, SizeDistribution.ParseSize(text));

    [Fact]
    public void A_weighted_distribution_follows_its_weights_and_is_repeatable()
    {
        var sizes = SizeDistribution.Parse("1k:75,10k:25");

        var drawn = Enumerable.Range(1, 20_000).Select(n => sizes.SizeOf(n)).ToArray();

        Assert.Equal(drawn, Enumerable.Range(1, 20_000).Select(n => sizes.SizeOf(n)));
        Assert.InRange(drawn.Count(s => s == 1024) / 20_000.0, 0.73, 0.77);
        Assert.All(drawn, s => Assert.Contains(s, new[] { 1024, 10240 }));
    }

    [Fact]
    public void Bad_sizes_are_refused()
    {
        Assert.Throws<FormatException>(() => SizeDistribution.Parse("lots"));
        Assert.Throws<FormatException>(() => SizeDistribution.Parse("1k:0"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(77)]
    [InlineData(78)]
    [InlineData(2048)]
    [InlineData(100_000)]
    public async Task Messages_have_the_body_size_asked_for_and_a_digest_that_verifies(int size)
    {
        var factory = new LoadMessageFactory(new LoadMessageOptions { Size = SizeDistribution.Fixed(size) });

        var message = factory.Create(7, 1);
        var bytes = await ReadAllAsync(message);
        var text = Encoding.ASCII.GetString(bytes);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;

        Assert.Equal(message.Length, bytes.Length);
        Assert.Equal(size, bytes.Length - bodyStart);
        Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(bytes));
        Assert.DoesNotContain("\r\n.", text, StringComparison.Ordinal);
        Assert.All(text.Split("\r\n").SkipLast(1), line => Assert.True(line.Length <= 998));
        if (size > 0)
        {
            Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(64 * 1024)] // above the in-memory limit: Create streams it, and its Content.Bytes is empty
    public async Task Content_bytes_are_the_whole_message_whatever_its_size(int size)
    {
        var factory = new LoadMessageFactory(new LoadMessageOptions { Size = SizeDistribution.Fixed(size) }, runId: "run1");

        var stored = factory.ContentBytes(7, 1);
        var sent = await ReadAllAsync(factory.Create(7, 1));

        Assert.Equal(sent.Length, stored.Length);
        Assert.True(stored.Length > size);
        Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(stored));
        Assert.Contains("Message-ID: <7.run1@load.mailactors.test>", Encoding.ASCII.GetString(stored), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_recipients_with_the_default_template_are_distinct_addresses()
    {
        var several = new LoadMessageFactory(new LoadMessageOptions { Recipients = 3 }).Create(5, 1);
        var one = new LoadMessageFactory(new LoadMessageOptions()).Create(5, 1);

        Assert.Equal(["rcpt5.1@example.test", "rcpt5.2@example.test", "rcpt5.3@example.test"], several.Recipients.Select(r => r.Address));
        Assert.Equal("rcpt5@example.test", one.Recipients.Single().Address);
    }

    [Fact]
    public void Several_recipients_need_a_template_that_gives_each_its_own_address()
    {
        // Without {r} (or with {r%K}, K below the count) one transaction would name the same address more than once.
        (string To, int Recipients)[] repeating = [("bob@example.test", 2), ("rcpt{n}@example.test", 3), ("rcpt{n}.{r%2}@example.test", 3)];
        (string To, int Recipients)[] distinct = [("bob@example.test", 1), ("rcpt{n}.{r}@example.test", 3), ("rcpt{n}.{r%3}@example.test", 3), ("u{r%2}.{r%3}@example.test", 6)];

        Assert.All(repeating, t => Assert.Contains("{r}", Assert.Throws<ArgumentException>(() => new LoadMessageOptions { To = t.To, Recipients = t.Recipients }.Validate()).Message, StringComparison.Ordinal));
        Assert.All(distinct, t => new LoadMessageOptions { To = t.To, Recipients = t.Recipients }.Validate());
        new LoadMessageOptions { Recipients = 5 }.Validate(); // the default template numbers them
    }

    [Fact]
    public async Task Each_message_has_its_own_headers_over_one_shared_body()
    {
        var factory = new LoadMessageFactory(new LoadMessageOptions { To = "r{n}@example.test" }, runId: "run1");

        var first = Encoding.ASCII.GetString(await ReadAllAsync(factory.Create(1, 1)));
        var second = Encoding.ASCII.GetString(await ReadAllAsync(factory.Create(2, 1)));

        Assert.Contains("Message-ID: <1.run1@load.mailactors.test>", first, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <2.run1@load.mailactors.test>", second, StringComparison.Ordinal);
        Assert.Contains("To: r2@example.test", second, StringComparison.Ordinal);
        Assert.Equal(first[first.IndexOf("\r\n\r\n", StringComparison.Ordinal)..], second[second.IndexOf("\r\n\r\n", StringComparison.Ordinal)..]);
        Assert.True(factory.BodyOf(2048).Span == factory.BodyOf(2048).Span, "the body is built once and shared");
    }

    [Fact]
    public void A_changed_body_fails_the_digest_check()
    {
        var body = "hello\r\n"u8.ToArray();
        var message = Encoding.ASCII.GetBytes("Subject: x\r\n" + ContentDigest.HeaderLine(body) + "\r\nhellO\r\n");

        Assert.Equal(ContentDigestStatus.Mismatch, ContentDigest.Verify(message));
        Assert.Equal(ContentDigestStatus.Missing, ContentDigest.Verify("Subject: x\r\n\r\nhello\r\n"u8));
    }

    private static async Task<byte[]> ReadAllAsync(LoadMessage message)
    {
        await using var stream = message.Content.Open();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
