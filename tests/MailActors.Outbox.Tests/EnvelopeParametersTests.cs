using MailActors.Delivery;
using MailActors.Outbox.Dsn;
using MailActors.Outbox.Tests.Support;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;

namespace MailActors.Outbox.Tests;

/// <summary>MAIL and RCPT parameters survive the journal (replayed or snapshotted), and bad ones are refused at enqueue.</summary>
public sealed class EnvelopeParametersTests
{
    private static OutgoingMail ThreeRecipients(string id) =>
        new("sender@example.test", ["a@example.test", "b@example.test", "c@example.test"], OutboxHarness.Mail(id).Content)
        {
            MessageId = id,
            RecipientParameters = new RecipientParameters { Notify = DsnNotify.Failure },
            PerRecipientParameters = new Dictionary<string, RecipientParameters>
            {
                ["a@example.test"] = new() { Notify = DsnNotify.Success | DsnNotify.Failure, OriginalRecipient = "orig-a@example.test" },
                ["b@example.test"] = new() { Notify = DsnNotify.Never },
                ["nobody@example.test"] = new() { Notify = DsnNotify.Delay }, // not a recipient: ignored, as the Mailer does
            },
        };

    [Theory]
    [InlineData("sqlite", true)]
    [InlineData("sqlite", false)]
    [InlineData("postgres", true)]
    [InlineData("postgres", false)]
    public async Task Per_recipient_parameters_are_sent_after_a_restart(string kind, bool crash)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var refusing = true; // every RCPT is deferred until the outbox has restarted: only the restarted one delivers
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = [new FaultRule { Command = FaultCommands.Rcpt, Action = FaultAction.Reply("451 4.3.0 later"), Match = _ => Volatile.Read(ref refusing) }],
        });
        // No snapshot but the one a clean stop takes, so that each variant recovers the one way it names.
        var options = OutboxHarness.FastOptions with { Partitions = 1, SnapshotMinEvents = int.MaxValue, SnapshotIdleAfter = TimeSpan.FromHours(1) };
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, options);
        await harness.Outbox.EnqueueAsync(ThreeRecipients("params-1"));
        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Deferred == 3, "deferred");

        // A crash recovers by replaying the journal; a clean stop snapshots first, so recovery starts from the snapshot.
        await harness.RestartAsync(crash: crash);
        Volatile.Write(ref refusing, false);

        await Eventually.TrueAsync(async () => (await harness.Outbox.GetCountsAsync()).Delivered == 3, "all three delivered after the restart");
        Assert.Equal(crash ? 0 : 1, await store.ScalarAsync("SELECT COUNT(*) FROM snapshot"));
        var rcpt = server.CommandLog.Where(l => l.StartsWith("RCPT", StringComparison.Ordinal)).TakeLast(3).ToArray();
        Assert.Equal(
            [
                "RCPT TO:<a@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig-a@example.test",
                "RCPT TO:<b@example.test> NOTIFY=NEVER ORCPT=rfc822;b@example.test",
                "RCPT TO:<c@example.test> NOTIFY=FAILURE ORCPT=rfc822;c@example.test",
            ],
            rcpt);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dsn_reports_only_the_recipients_whose_own_notify_asks_for_it(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["a@example.test", "b@example.test", "c@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with { GenerateDsn = true });

        await harness.Outbox.EnqueueAsync(ThreeRecipients("params-dsn"));

        await Eventually.TrueAsync(() => server.Messages.Count == 1, "the DSN reached the server");
        Assert.True(DsnParser.TryParse(server.Messages[0].Data, out var report));
        // b asked for NEVER; a and c asked for FAILURE, a with its own ORCPT.
        Assert.Equal(["a@example.test", "c@example.test"], report.Recipients.Select(r => r.FinalRecipient).Order(StringComparer.Ordinal));
        Assert.Equal("orig-a@example.test", report.Recipients.Single(r => r.FinalRecipient == "a@example.test").OriginalRecipient);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_full_dsn_too_large_for_the_route_quotes_the_headers_instead(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port, OutboxHarness.FastOptions with
        {
            GenerateDsn = true,
            Routes = new Dictionary<string, RouteOutboxOverride> { ["test"] = new(MaxMessageSize: 3_000) },
        });
        var mail = OutboxHarness.Mail("full-dsn", to: "ghost@example.test", from: "author@example.test", size: 2_500) with
        {
            Parameters = new MailParameters { Return = DsnReturn.Full },
        };

        await harness.Outbox.EnqueueAsync(mail);

        await Eventually.TrueAsync(() => server.Messages.Count == 1, "the DSN reached the server");
        var dsn = server.Messages[0];
        Assert.Equal(["author@example.test"], dsn.Envelope.Recipients.Select(r => r.Address));
        Assert.Contains("text/rfc822-headers", dsn.DataText, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Subject: full-dsn", dsn.DataText, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 100), dsn.DataText, StringComparison.Ordinal); // the body is not quoted
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Bad_parameters_are_rejected_at_enqueue_and_nothing_of_them_is_journaled(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);

        var notify = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(OutboxHarness.Mail("never-and-success") with
        {
            PerRecipientParameters = new Dictionary<string, RecipientParameters> { ["rcpt@example.test"] = new() { Notify = DsnNotify.Never | DsnNotify.Success } },
        }));
        var injected = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(OutboxHarness.Mail("crlf-extra") with
        {
            Parameters = new MailParameters { Extra = ["X-TAG=1\r\nRSET"] },
        }));

        Assert.Equal(OutboxRejection.InvalidParameters, notify.Reason);
        Assert.Contains("NEVER", notify.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.InvalidParameters, injected.Reason);
        Assert.Null(await harness.Outbox.GetStatusAsync("never-and-success"));
        Assert.Null(await harness.Outbox.GetStatusAsync("crlf-extra"));
        Assert.Equal(0, (await harness.Outbox.GetCountsAsync()).MessagesAccepted);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Pre_encoded_ENVID_and_AUTH_are_rejected_at_enqueue_as_the_journal_would_not_keep_them()
    {
        await using var store = await TestStore.CreateAsync("sqlite");
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var harness = await OutboxHarness.StartAsync(store.Store, server.Port);

        var envid = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(OutboxHarness.Mail("raw-envid") with
        {
            Parameters = new MailParameters { EnvelopeIdRaw = "x+E9y" },
        }));
        var auth = await Assert.ThrowsAsync<OutboxRejectedException>(() => harness.Outbox.EnqueueAsync(OutboxHarness.Mail("raw-auth") with
        {
            Parameters = new MailParameters { AuthRaw = "a+E9b@example.test" },
        }));

        Assert.Equal(OutboxRejection.InvalidParameters, envid.Reason);
        Assert.Contains("EnvelopeIdRaw", envid.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxRejection.InvalidParameters, auth.Reason);
        Assert.Equal(0, (await harness.Outbox.GetCountsAsync()).MessagesAccepted);
    }
}
