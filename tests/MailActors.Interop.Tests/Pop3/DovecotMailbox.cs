using System.Text;
using MailActors.Interop.Tests.Infrastructure;
using MailActors.Pop3;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Interop.Tests.Pop3;

/// <summary>
/// What the POP3 interop specs share: they log in as <c>bounce</c> (the mailbox the other interop tests use least) and
/// only ever look at, and delete, messages they delivered themselves, found by a unique subject — other tests deliver
/// to the same Dovecot mailboxes. All of them run in the serial <see cref="RealServers"/> collection, so no two POP3
/// sessions hold bounce's maildrop lock at once (Dovecot would answer <c>-ERR [IN-USE]</c>).
/// </summary>
internal sealed class DovecotMailbox(RealServers servers)
{
    private static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(30);

    public MailUser User => servers.Bounce;

    public static string Unique(string what) => $"{what} {Guid.NewGuid():N}";

    /// <summary>POP3 options for Dovecot with the test certificate pinned (validation stays on).</summary>
    public Pop3ClientOptions Options(bool ssl = false, TlsMode startTls = TlsMode.StartTls, Diagnostics.ITranscript? transcript = null) => new()
    {
        Host = [servers.Host],
        Port = ssl ? servers.Pop3s : servers.Pop3,
        Ssl = ssl,
        StartTls = ssl ? TlsMode.None : startTls,
        Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
        Timeout = TimeSpan.FromSeconds(30),
        Transcript = transcript,
    };

    /// <summary>A small message with <paramref name="subject"/>, CRLF line endings, as the bytes to send.</summary>
    public byte[] MessageBytes(string subject, string body = "hello from the POP3 interop specs\r\n") => Encoding.UTF8.GetBytes(
        $"From: {servers.Alice.Address}\r\nTo: {User.Address}\r\nSubject: {subject}\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@interop.example.test>\r\nDate: {DateTimeOffset.UtcNow:R}\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body);

    /// <summary>Sends <paramref name="content"/> through Postfix to bounce (8BITMIME declared) and waits until Dovecot can see it.</summary>
    public async Task DeliverAsync(string subject, byte[] content)
    {
        await using (var smtp = await SmtpClient.ConnectAsync(new SmtpClientOptions
        {
            Host = [$"{servers.Host}:{servers.Smtp}"],
            Hello = "pop3-interop.example.test",
            Timeout = TimeSpan.FromSeconds(30),
            Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
        }))
        {
            await smtp.MailAsync(servers.Alice.Address, new MailOptions { Bits = BodyType.EightBitMime });
            await smtp.RecipientAsync(User.Address);
            await smtp.DataAsync(content);
            await smtp.QuitAsync();
        }
        await servers.WaitForMaildirMessagesAsync(User.Name, text => text.Contains(subject, StringComparison.Ordinal), DeliveryWait);
    }

    /// <summary>Delivers one plain message per subject over one SMTP session and waits until Dovecot can see them all.</summary>
    public async Task DeliverManyAsync(string commonPrefix, IReadOnlyList<string> subjects, string? body = null)
    {
        await using (var smtp = await SmtpClient.ConnectAsync(new SmtpClientOptions
        {
            Host = [$"{servers.Host}:{servers.Smtp}"],
            Hello = "pop3-interop.example.test",
            Timeout = TimeSpan.FromSeconds(30),
        }))
        {
            foreach (var subject in subjects)
            {
                await smtp.MailAsync(servers.Alice.Address);
                await smtp.RecipientAsync(User.Address);
                await smtp.DataAsync(body is null ? MessageBytes(subject) : MessageBytes(subject, body));
            }
            await smtp.QuitAsync();
        }
        await servers.WaitForMaildirMessagesAsync(User.Name, text => text.Contains(commonPrefix, StringComparison.Ordinal), DeliveryWait, subjects.Count);
    }

    /// <summary>Delivers a plain message with <paramref name="subject"/>.</summary>
    public Task DeliverAsync(string subject) => DeliverAsync(subject, MessageBytes(subject));

    /// <summary>The numbers of the messages whose headers carry <paramref name="subject"/>, found with TOP n 0.</summary>
    public static async Task<IReadOnlyList<int>> FindAsync(Pop3Client client, string subject)
    {
        var found = new List<int>();
        foreach (var number in (await client.ListAsync()).Keys.Order())
        {
            var header = await client.TopAsync(number, 0);
            if (header.Any(line => line.Contains(subject, StringComparison.Ordinal)))
            {
                found.Add(number);
            }
        }
        return found;
    }

    /// <summary>Logs in after STLS and deletes this test's messages, committing with QUIT (clean-up after a test).</summary>
    public async Task DeleteOwnAsync(string subject)
    {
        await using var client = await Pop3Client.ConnectAsync(Options());
        await client.LoginAsync(User.Name, User.Password);
        var own = await FindAsync(client, subject);
        if (own.Count > 0)
        {
            await client.DeleteAsync(own);
        }
        await client.QuitAsync();
    }
}
