using System.Text;
using MailActors.Protocol.Integrity;

namespace MailActors.Testing.Tests;

/// <summary>Message inspectors: integrity checks and mbox capture, with recording off.</summary>
public sealed class SmtpInspectorTests
{
    private static async Task SendAsync(SmtpTestServer server, string content)
    {
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<c@example.test>")).Code);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        Assert.Equal(250, (await client.CommandAsync(content + ".")).Code);
        Assert.Equal(221, (await client.CommandAsync("QUIT")).Code);
    }

    [Fact]
    public async Task The_integrity_checker_sees_messages_even_when_not_recording()
    {
        var checker = new IntegrityChecker();
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Record = false, Inspectors = [checker] });
        const string body = "hello\r\n";

        await SendAsync(server, "Subject: a\r\n" + ContentDigest.HeaderLine(Encoding.ASCII.GetBytes(body)) + "\r\n" + body);
        await SendAsync(server, "Subject: b\r\n" + ContentDigest.HeaderLine(Encoding.ASCII.GetBytes(body)) + "\r\nchanged\r\n");
        await SendAsync(server, "Subject: c\r\n\r\n" + body);

        Assert.Equal((1, 1, 1), (checker.Valid, checker.Mismatch, checker.Missing));
        Assert.Empty(server.Messages);
        Assert.Equal(3, server.MessagesReceived);
    }

    [Fact]
    public async Task The_mbox_recorder_writes_envelopes_and_quotes_from_lines()
    {
        var path = Path.GetTempFileName();
        try
        {
            await using (var recorder = new MboxRecorder(path))
            {
                await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Record = false, Inspectors = [recorder] });
                await SendAsync(server, "Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\n");
                await SendAsync(server, "Subject: two\r\n\r\nsecond\r\n");
                Assert.Equal(2, recorder.Messages);
            }

            var lines = await File.ReadAllLinesAsync(path);
            Assert.Equal(2, lines.Count(l => l.StartsWith("From a@example.test ", StringComparison.Ordinal)));
            Assert.Equal(2, lines.Count(l => l == "X-Envelope-From: <a@example.test>"));
            Assert.Equal(2, lines.Count(l => l == "X-Envelope-To: <c@example.test>"));
            Assert.Contains(">From the start", lines);
            Assert.Contains(">>From quoted", lines);
            Assert.DoesNotContain(lines, l => l.EndsWith('\r'));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
