using System.Text;
using MailActors.Protocol.Integrity;

namespace MailActors.Protocol.Tests.Integrity;

public sealed class ContentDigestTests
{
    private static byte[] Message(string headers, string body) => Encoding.ASCII.GetBytes(headers + "\r\n" + body);

    [Fact]
    public void A_message_with_its_own_digest_is_valid()
    {
        const string body = "line one\r\nline two\r\n";
        var message = Message("Subject: x\r\n" + ContentDigest.HeaderLine(Encoding.ASCII.GetBytes(body)), body);

        Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(message));
    }

    [Fact]
    public void Headers_added_on_the_way_do_not_disturb_the_digest()
    {
        const string body = "hello\r\n";
        var message = Message("Return-Path: <a@b>\r\nReceived: from x\r\n\tby y; Mon, 1 Jan 2024\r\nSubject: x\r\n" + ContentDigest.HeaderLine(Encoding.ASCII.GetBytes(body)) + "X-After: 1\r\n", body);

        Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(message));
    }

    [Fact]
    public void A_folded_header_and_another_name_case_are_understood()
    {
        const string body = "hello\r\n";
        var value = ContentDigest.Compute(Encoding.ASCII.GetBytes(body));
        var message = Message($"x-mailactors-digest: {value[..20]}\r\n {value[20..]}\r\n", body);

        Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(message));
    }

    [Fact]
    public void A_changed_byte_in_the_body_is_a_mismatch()
    {
        const string body = "hello\r\n";
        var message = Message(ContentDigest.HeaderLine(Encoding.ASCII.GetBytes(body)), "hellO\r\n");

        Assert.Equal(ContentDigestStatus.Mismatch, ContentDigest.Verify(message));
    }

    [Theory]
    [InlineData("X-MailActors-Digest: sha256=not-base64!\r\n", ContentDigestStatus.Mismatch)]
    [InlineData("X-MailActors-Digest: sha256=AAAA\r\n", ContentDigestStatus.Mismatch)]
    [InlineData("X-MailActors-Digest: md5=AAAA\r\n", ContentDigestStatus.Unsupported)]
    [InlineData("X-MailActors-Digester: sha256=AAAA\r\n", ContentDigestStatus.Missing)]
    [InlineData("Subject: X-MailActors-Digest: sha256=AAAA\r\n", ContentDigestStatus.Missing)]
    public void Odd_headers_are_classified(string header, ContentDigestStatus expected) =>
        Assert.Equal(expected, ContentDigest.Verify(Message(header, "body\r\n")));

    [Fact]
    public void A_digest_in_the_body_does_not_count()
    {
        const string body = "hello\r\n";
        var message = Message("Subject: x\r\n", ContentDigest.HeaderLine(Encoding.ASCII.GetBytes(body)));

        Assert.Equal(ContentDigestStatus.Missing, ContentDigest.Verify(message));
    }

    [Fact]
    public void Bare_lf_headers_and_an_empty_body_work()
    {
        var message = Encoding.ASCII.GetBytes("Subject: x\n" + ContentDigest.HeaderLine([]).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");

        Assert.Equal(ContentDigestStatus.Valid, ContentDigest.Verify(message));
    }
}
