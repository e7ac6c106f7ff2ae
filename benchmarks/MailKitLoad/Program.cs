// MailKit load: SESSIONS parallel SmtpClients, each connected once and reused, sending until MESSAGES are sent in all.
// Each client keeps one MimeMessage (a BODY-byte text body) and only changes its Message-ID: the cheapest way to use
// MailKit for bulk sending, so the comparison is as kind to MailKit as it can be.
using System.Diagnostics;
using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Utils;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: MailKitLoad HOST PORT SESSIONS MESSAGES BODY_BYTES");
    return 1;
}
var host = args[0];
var port = int.Parse(args[1], CultureInfo.InvariantCulture);
var sessions = int.Parse(args[2], CultureInfo.InvariantCulture);
var total = long.Parse(args[3], CultureInfo.InvariantCulture);
var bodyBytes = int.Parse(args[4], CultureInfo.InvariantCulture);

var body = BuildBody(bodyBytes);
long next = 0;
long failed = 0;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(1, sessions).Select(session => Task.Run(async () =>
{
    using var client = new SmtpClient();
    await client.ConnectAsync(host, port, SecureSocketOptions.None);
    var message = new MimeMessage();
    message.From.Add(MailboxAddress.Parse($"load{session}@example.test"));
    message.To.Add(MailboxAddress.Parse("rcpt@example.test"));
    message.Subject = "MailKit load";
    message.Body = new TextPart("plain") { Text = body };
    while (Interlocked.Increment(ref next) <= total)
    {
        message.MessageId = MimeUtils.GenerateMessageId("load.mailkit.test");
        try
        {
            await client.SendAsync(message);
        }
        catch (SmtpCommandException)
        {
            Interlocked.Increment(ref failed);
        }
    }
    await client.DisconnectAsync(quit: true);
})));
clock.Stop();
var sent = total - failed;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mailkit: {sent} sent, {failed} failed in {clock.Elapsed.TotalSeconds:0.00} s = {sent / clock.Elapsed.TotalSeconds:0.0} msg/s"));
return failed == 0 ? 0 : 2;

static string BuildBody(int size)
{
    var text = new System.Text.StringBuilder(size);
    while (text.Length < size)
    {
        text.Append("The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvw\n");
    }
    return text.ToString(0, size);
}
