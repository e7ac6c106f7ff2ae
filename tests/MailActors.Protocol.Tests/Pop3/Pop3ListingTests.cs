using MailActors.Protocol.Pop3;

namespace MailActors.Protocol.Tests.Pop3;

public class Pop3ListingTests
{
    private static Pop3Response Ok(string text) => new(Pop3StatusKind.Ok, text);

    [Theory]
    [InlineData("2 320", 2, 320L)]
    [InlineData("0 0", 0, 0L)]
    [InlineData("7 9876543210 octets in maildrop", 7, 9876543210L)]
    [InlineData("3\t45", 3, 45L)]
    public void Parses_stat(string text, int count, long size)
    {
        Assert.Equal((count, size), Pop3Listing.ParseStat(Ok(text)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("two 320")]
    [InlineData("2 -320")]
    [InlineData("-2 320")]
    [InlineData("2 3.5")]
    [InlineData("2147483648 1")]
    [InlineData("1 99999999999999999999")]
    public void Rejects_garbage_stat(string text)
    {
        Assert.Throws<Pop3ProtocolException>(() => Pop3Listing.ParseStat(Ok(text)));
    }

    [Fact]
    public void Refuses_to_read_a_listing_from_an_error_reply()
    {
        var error = new Pop3Response(Pop3StatusKind.Err, "[SYS/TEMP] busy");

        Assert.Throws<ArgumentException>(() => Pop3Listing.ParseStat(error));
        Assert.Throws<ArgumentException>(() => Pop3Listing.ParseList(error));
        Assert.Throws<ArgumentException>(() => Pop3Listing.ParseUidl(error));
    }

    [Theory]
    [InlineData("1 120", 1, 120L)]
    [InlineData("2 200", 2, 200L)]
    [InlineData("  3   4096  extra info ", 3, 4096L)]
    [InlineData("2147483647 0", int.MaxValue, 0L)]
    public void Parses_scan_listings(string line, int number, long size)
    {
        Assert.Equal((number, size), Pop3Listing.ParseListLine(line));
    }

    [Theory]
    [InlineData("0 120")]
    [InlineData("1")]
    [InlineData("1 x")]
    [InlineData("x 1")]
    [InlineData("+1 120")]
    [InlineData("١ 120")]
    public void Rejects_garbage_scan_listings(string line)
    {
        Assert.Throws<Pop3ProtocolException>(() => Pop3Listing.ParseListLine(line));
    }

    [Fact]
    public void Parses_single_message_replies()
    {
        Assert.Equal((2, 200L), Pop3Listing.ParseList(Ok("2 200")));
        Assert.Equal((2, "QhdPYR:00WBw1Ph7x7"), Pop3Listing.ParseUidl(Ok("2 QhdPYR:00WBw1Ph7x7")));
    }

    [Theory]
    [InlineData("1 whqtswO00WBw418f9t5JxYwZ", 1, "whqtswO00WBw418f9t5JxYwZ")]
    [InlineData("12 000000017e2b9f80", 12, "000000017e2b9f80")]
    [InlineData("3\t<a@b>", 3, "<a@b>")]
    public void Parses_unique_id_listings(string line, int number, string uid)
    {
        Assert.Equal((number, uid), Pop3Listing.ParseUidlLine(line));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0 abc")]
    [InlineData("one abc")]
    [InlineData("1 ünïcode")]
    [InlineData("1 a\u0001b")]
    public void Rejects_garbage_unique_id_listings(string line)
    {
        Assert.Throws<Pop3ProtocolException>(() => Pop3Listing.ParseUidlLine(line));
    }

    [Theory]
    [InlineData("mrose's maildrop has 2 messages (320 octets)", 2)]
    [InlineData("Logged in, 1 message waiting", 1)]
    [InlineData("0 MESSAGES", 0)]
    [InlineData("version 3 ready, 15 messages", 15)]
    public void Finds_the_message_count_in_a_login_reply(string text, int count)
    {
        Assert.Equal(count, Pop3Listing.TryParseLoginMessageCount(Ok(text)));
    }

    [Theory]
    [InlineData("Logged in.")]
    [InlineData("messages: 2")]
    [InlineData("2messages")]
    public void Finds_no_message_count_where_there_is_none(string text)
    {
        Assert.Null(Pop3Listing.TryParseLoginMessageCount(Ok(text)));
        Assert.Null(Pop3Listing.TryParseLoginMessageCount(new Pop3Response(Pop3StatusKind.Err, "2 messages")));
    }
}
