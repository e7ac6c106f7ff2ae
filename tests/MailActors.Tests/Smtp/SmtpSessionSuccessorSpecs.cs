using System.Text;
using Akka.Actor;
using Akka.TestKit;
using MailActors.Diagnostics;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Tests.Smtp;

/// <summary>
/// RFC 2920 section 3.1: on a pipelining connection the envelope of the next transaction goes out in the same write as
/// the content of the current one, and every requester still gets exactly one answer whatever happens.
/// </summary>
public sealed class SmtpSessionSuccessorSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static Transaction Message(int n) => new(
        $"sender{n}@example.test", [new TransactionRecipient($"r{n}@example.test")],
        MessageContent.FromBytes(Encoding.ASCII.GetBytes($"Subject: message {n}\r\n\r\nbody {n}\r\n")));

    /// <summary>Sends the transactions back to back, each from its own probe, so that later ones arrive while the first is served.</summary>
    private List<TestProbe> SendAll(IActorRef session, int count)
    {
        // Probes and messages first: creating a probe takes long enough for the server to answer in between.
        var probes = Enumerable.Range(1, count).Select(_ => CreateTestProbe()).ToList();
        var messages = Enumerable.Range(1, count).Select(Message).ToList();
        for (var i = 0; i < count; i++)
        {
            session.Tell(messages[i], probes[i].Ref);
        }
        return probes;
    }

    /// <summary>
    /// Whether the client wrote MAIL of message <paramref name="n"/> before it had read the server's reply to the
    /// content of message n-1 — which only happens when both went out together.
    /// </summary>
    private static bool RodeWithPreviousContent(CollectingTranscript transcript, int n)
    {
        var lines = transcript.Lines;
        var mail = lines.ToList().FindIndex(l => l.Direction == TranscriptDirection.Client && l.Line.StartsWith($"MAIL FROM:<sender{n}@", StringComparison.Ordinal));
        var previousMail = lines.ToList().FindIndex(l => l.Direction == TranscriptDirection.Client && l.Line.StartsWith($"MAIL FROM:<sender{n - 1}@", StringComparison.Ordinal));
        Assert.True(mail > 0 && previousMail >= 0, transcript.ToString());
        // The previous transaction's dot, then the first server line after it: its final reply.
        var dot = lines.ToList().FindIndex(previousMail, l => l.Direction == TranscriptDirection.Client && l.Line == ".");
        var finalReply = lines.ToList().FindIndex(dot, l => l.Direction == TranscriptDirection.Server);
        return mail < finalReply;
    }

    [Fact]
    public async Task Next_envelope_rides_in_the_write_of_the_current_content_and_every_transaction_is_answered()
    {
        var server = await StartServerAsync();
        var transcript = new CollectingTranscript();
        var session = await ConnectedSessionAsync(SettingsFor(server, transcript));

        var probes = SendAll(session, 3);

        for (var n = 1; n <= 3; n++)
        {
            var result = probes[n - 1].ExpectMsg<TransactionResult>();
            Assert.True(result.Delivered, transcript.ToString());
            Assert.Equal($"r{n}@example.test", result.Recipients.Single().Address);
        }
        Assert.True(RodeWithPreviousContent(transcript, 2), transcript.ToString());
        Assert.True(RodeWithPreviousContent(transcript, 3), transcript.ToString());
        Assert.Equal(["r1@example.test", "r2@example.test", "r3@example.test"], server.Messages.Select(m => m.Envelope.Recipients.Single().Address));
        Assert.Equal("Subject: message 2\r\n\r\nbody 2\r\n", Encoding.ASCII.GetString(server.Messages[1].Data.Span));
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task A_refused_MAIL_leaves_the_next_transaction_to_be_served_normally()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = "MAIL", Action = FaultAction.Reply("550 5.7.1 sender blocked"), Times = 1 });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var probes = SendAll(session, 3);

        var first = probes[0].ExpectMsg<TransactionResult>();
        Assert.Equal(550, first.MailReply.Code);
        Assert.False(first.Delivered);
        Assert.True(probes[1].ExpectMsg<TransactionResult>().Delivered);
        Assert.True(probes[2].ExpectMsg<TransactionResult>().Delivered);
        // Both held transactions went back in the order they came.
        Assert.Equal(["r2@example.test", "r3@example.test"], server.Messages.Select(m => m.Envelope.Recipients.Single().Address));
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task A_refused_message_does_not_touch_the_next_one_and_sends_no_RSET()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.Reply("554 5.7.1 content rejected"), Times = 1 });
        var transcript = new CollectingTranscript();
        var session = await ConnectedSessionAsync(SettingsFor(server, transcript));

        var probes = SendAll(session, 2);

        var first = probes[0].ExpectMsg<TransactionResult>();
        var second = probes[1].ExpectMsg<TransactionResult>();
        Assert.Equal(554, first.DataReply!.Code);
        Assert.True(second.Delivered);
        Assert.True(RodeWithPreviousContent(transcript, 2), transcript.ToString());
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("RSET", StringComparison.Ordinal));
        Assert.Equal("r2@example.test", server.Messages.Single().Envelope.Recipients.Single().Address);
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task A_421_after_the_content_answers_both_transactions_and_closes_the_session()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.Reply("421 4.3.2 shutting down"), Times = 1 });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var probes = SendAll(session, 2);

        var first = probes[0].ExpectMsg<TransactionResult>();
        var second = probes[1].ExpectMsg<TransactionResult>();
        Assert.Equal(421, first.DataReply!.Code);
        Assert.Equal(421, second.MailReply.Code);
        Assert.False(second.Delivered);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task A_dropped_connection_fails_both_transactions_in_flight()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.DisconnectBeforeReply(), Times = 1 });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var probes = SendAll(session, 3);

        foreach (var probe in probes)
        {
            var failure = probe.ExpectMsg<Status.Failure>();
            Assert.IsAssignableFrom<MailSessionClosedException>(failure.Cause);
        }
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task The_transaction_deadline_fails_the_successor_on_the_wire_too()
    {
        var server = await StartServerAsync();
        server.Faults.Add(new FaultRule { Command = FaultCommands.EndOfData, Action = FaultAction.Tarpit(), Times = 1 });
        var session = await ConnectedSessionAsync(SettingsFor(server) with { TransactionTimeout = TimeSpan.FromSeconds(1) });

        var probes = SendAll(session, 2);

        // The command timeout (5 s here) is far off: it is the 1 s transaction deadline that ends the session.
        Assert.Contains("deadline", Assert.IsType<MailTimeoutException>(probes[0].ExpectMsg<Status.Failure>().Cause).Message, StringComparison.Ordinal);
        Assert.IsType<MailTimeoutException>(probes[1].ExpectMsg<Status.Failure>().Cause);
        Assert.Equal("Closed", await StateOf(session));
    }

    [Fact]
    public async Task Without_PIPELINING_transactions_are_served_one_after_the_other()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Pipelining = false });
        var transcript = new CollectingTranscript();
        var session = await ConnectedSessionAsync(SettingsFor(server, transcript));

        var probes = SendAll(session, 2);

        Assert.True(probes[0].ExpectMsg<TransactionResult>().Delivered);
        Assert.True(probes[1].ExpectMsg<TransactionResult>().Delivered);
        Assert.False(RodeWithPreviousContent(transcript, 2), transcript.ToString());
        Assert.Equal(2, server.Messages.Count);
    }
}
