using System.Text;
using CsCheck;

namespace MailActors.Testing.Tests;

public sealed class DotStuffingPropertyTests
{
    /// <summary>Content made of lines that often start with dots and contain bare CR/LF, split into CRLF lines.</summary>
    private static readonly Gen<string> Content =
        Gen.OneOf(Gen.Const("."), Gen.Const(".."), Gen.Const("\r"), Gen.Const("\n"), Gen.Const("a"), Gen.Const("\u00e9"), Gen.Const(" "))
            .Array[0, 12]
            .Select(parts => string.Concat(parts))
            .Array[0, 6]
            .Select(lines => string.Concat(lines.Select(line => line + "\r\n")));

    [Fact]
    public async Task Data_round_trips_any_content_through_dot_stuffing()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");

        var expected = new List<string>();
        await Content.SampleAsync(async content =>
        {
            await client.CommandAsync("MAIL FROM:<a@example.test>");
            await client.CommandAsync("RCPT TO:<b@example.test>");
            await client.CommandAsync("DATA");
            var stuffed = string.Concat(content.Split("\r\n").SkipLast(1).Select(line => (line.StartsWith('.') ? "." + line : line) + "\r\n"));
            await client.SendAsync(stuffed + ".\r\n");
            var reply = await client.ReadReplyAsync();
            expected.Add(content);
            return reply.Code == 250 && server.Messages[^1].DataText == content;
        }, iter: 200, threads: 1);

        Assert.Equal(expected.Count, server.Messages.Count);
        Assert.Equal(expected.Sum(text => Encoding.UTF8.GetByteCount(text)), server.BytesReceived);
    }
}
