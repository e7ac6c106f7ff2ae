using System.Text;
using MailActors.Delivery;
using MailActors.Smtp;

namespace MailActors.Tests.Delivery;

/// <summary>The message record the delivery engine takes: defaults and validation.</summary>
public sealed class OutgoingMailTests
{
    private static readonly MessageContent Content = MessageContent.FromBytes(Encoding.ASCII.GetBytes("Subject: x\r\n\r\nbody\r\n"));

    [Fact]
    public void Messages_without_an_id_get_distinct_32_hex_digit_ids()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => new OutgoingMail("a@example.test", ["b@example.test"], Content).MessageId).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
    }

    [Fact]
    public void A_given_id_is_kept_and_a_copy_keeps_it()
    {
        var mail = new OutgoingMail("a@example.test", ["b@example.test"], Content) { MessageId = "mine-1" };

        Assert.Equal("mine-1", (mail with { Route = "other" }).MessageId);
    }

    [Fact]
    public void A_message_without_recipients_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new OutgoingMail("a@example.test", [], Content));

        Assert.Contains("at least one recipient", error.Message, StringComparison.Ordinal);
    }
}
