using System.Text;
using MailActors.Delivery;
using MailActors.Smtp;

namespace MailActors.Outbox.Tests.Support;

/// <summary>Messages whose bodies depend on their ids, so that contents mixed up between messages are noticed.</summary>
internal static class DistinctMails
{
    public static (OutgoingMail Mail, byte[] Bytes) Create(string id, int size, string to = "rcpt@example.test")
    {
        var random = new Random(id.GetHashCode(StringComparison.Ordinal));
        var text = new StringBuilder($"From: <sender@example.test>\r\nTo: <{to}>\r\nSubject: {id}\r\nMessage-ID: <{id}@outbox.test>\r\n\r\n");
        while (text.Length < size)
        {
            for (var i = 0; i < 76; i++)
            {
                text.Append((char)('a' + random.Next(26)));
            }
            text.Append("\r\n");
        }
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        return (new OutgoingMail("sender@example.test", [to], MessageContent.FromBytes(bytes)) { MessageId = id }, bytes);
    }
}
