using MailActors.Delivery;
using MailActors.Testing;
using MimeKit;
using Xunit.Abstractions;

namespace MailActors.Tests.Delivery;

/// <summary>
/// <see cref="OutgoingMail.FromMimeMessage"/> through a <see cref="Mailer"/>: the message is written before the server
/// is known, so it must suit a server with the fewest extensions.
/// </summary>
public sealed class MimeMessageDeliverySpecs(ITestOutputHelper output) : DeliveryTestKit(output)
{
    // "café " and 2000 x: 8-bit, and one line over the 998 octets that SMTP allows, so as it is it needs BINARYMIME.
    private static readonly string LongLine = "café " + new string('x', 2000);

    [Theory]
    [InlineData(true)] // Postfix: 8BITMIME without BINARYMIME
    [InlineData(false)] // neither
    public async Task An_8bit_message_with_a_long_line_is_re_encoded_for_a_server_without_BINARYMIME(bool eightBitMime)
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { EightBitMime = eightBitMime, BinaryMime = false });
        var mailer = StartMailer(RouteTo(server));

        var report = await mailer.SendAsync(OutgoingMail.FromMimeMessage(Message("b@example.test", LongLine)));

        Assert.True(report.AllDelivered, string.Join("; ", report.Recipients.Select(r => r.ToString())));
        var received = server.Messages.Single();
        Assert.All(received.Data.ToArray(), octet => Assert.True(octet < 0x80));
        var parsed = MimeMessage.Load(new MemoryStream(received.Data.ToArray()));
        Assert.Equal(LongLine, Assert.IsType<TextPart>(parsed.Body).Text.TrimEnd('\r', '\n'));
    }

    [Fact]
    public async Task A_short_8bit_message_reaches_a_server_without_8BITMIME()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { EightBitMime = false, BinaryMime = false });
        var mailer = StartMailer(RouteTo(server));

        var report = await mailer.SendAsync(OutgoingMail.FromMimeMessage(Message("b@example.test", "café 1234")));

        Assert.True(report.AllDelivered, string.Join("; ", report.Recipients.Select(r => r.ToString())));
        var parsed = MimeMessage.Load(new MemoryStream(server.Messages.Single().Data.ToArray()));
        Assert.Equal("café 1234", Assert.IsType<TextPart>(parsed.Body).Text.TrimEnd('\r', '\n'));
    }

    [Fact]
    public async Task An_international_domain_goes_out_as_punycode_without_SMTPUTF8()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { SmtpUtf8 = false });
        var mailer = StartMailer(RouteTo(server));
        var message = Message("b@bücher.example", "hello");
        message.Bcc.Add(MailboxAddress.Parse("hidden@example.test"));

        var report = await mailer.SendAsync(OutgoingMail.FromMimeMessage(message));

        Assert.True(report.AllDelivered, string.Join("; ", report.Recipients.Select(r => r.ToString())));
        var received = server.Messages.Single();
        Assert.Equal(["b@xn--bcher-kva.example", "hidden@example.test"], received.Envelope.Recipients.Select(r => r.Address));
        Assert.Null(received.Envelope.GetMailParameter("SMTPUTF8"));
        // Bcc stays a recipient but leaves the content.
        Assert.DoesNotContain("hidden@", System.Text.Encoding.ASCII.GetString(received.Data.Span), StringComparison.Ordinal);
    }

    private static MimeMessage Message(string to, string text)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@example.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "test";
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }
}
