using System.Text;
using MailActors.Outbox.Persistence;
using MailActors.Outbox.State;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.Tests;

/// <summary>Snapshots written by older builds still restore: a store must survive an upgrade.</summary>
public class SnapshotCompatibilityTests
{
    /// <summary>
    /// A version 1 snapshot (message contents inside the snapshot) of the state <see cref="Events"/> build, written by
    /// the build of commit d035c67 (the last to write version 1) with statusRetention 10 and generateDsn on.
    /// </summary>
    private const string Version1Snapshot =
        "AQMAAAAAAAAAAgAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABA2NzdgcAAAAAAAAAAQJtMQBAryDuN98IE3NlbmRlckBleGFtcGxlLnRlc3QCDmFAZXhhbXBsZS50ZXN0DmJAZXhhbXBsZS50ZXN0AQRtYWluAAAaU3ViamVjdDogb25lDQoNCmJvZHkgb25lDQoBAAABAHCaSjIAAAACDmFAZXhhbXBsZS50ZXN0AwEB+gABCDIuMC4wIG9rAAAAmhEj7jffCAAOYkBleGFtcGxlLnRlc3QCAQHDAQELNC4zLjAgbGF0ZXIAAQCGckTuN98IAJoRI+433wgAAgJtMgJtMhNzZW5kZXJAZXhhbXBsZS50ZXN0gNZHIe433wgBDmNAZXhhbXBsZS50ZXN0BAEBJgIBEjUuMS4xIG5vIHN1Y2ggdXNlcgAAAMdCJO433wgCbTMCbTMTc2VuZGVyQGV4YW1wbGUudGVzdABt4CHuN98IAQ5kQGV4YW1wbGUudGVzdAMBAfoAAQgyLjAuMCBvawAAAPRzJe433wgBAm0yAm0yE3NlbmRlckBleGFtcGxlLnRlc3SA1kch7jffCP8QU3ViamVjdDogdHdvDQoNCgEOY0BleGFtcGxlLnRlc3QBDmNAZXhhbXBsZS50ZXN0BAEmAgESNS4xLjEgbm8gc3VjaCB1c2VyAADHQiTuN98I";

    private static readonly DateTime T0 = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);

    private static IOutboxPersisted[] Events() =>
    [
        new MessageAccepted("m1", T0, new StoredEnvelope("sender@example.test", ["a@example.test", "b@example.test"], "main", null, null),
            Ascii("Subject: one\r\n\r\nbody one\r\n"), new RetryOverride(MaxAge: TimeSpan.FromHours(6)), "csv", 7, []),
        new MessageAccepted("m2", T0.AddSeconds(1), new StoredEnvelope("sender@example.test", ["c@example.test"], null, null,
            new RecipientParameters { Notify = DsnNotify.Failure, OriginalRecipient = "c@example.test" }),
            Ascii("Subject: two\r\n\r\nbody two\r\n"), null, null, 0, []),
        new MessageAccepted("m3", T0.AddSeconds(2), new StoredEnvelope("sender@example.test", ["d@example.test"], null, null, null),
            Ascii("Subject: three\r\n\r\nbody three\r\n"), null, null, 0, []),
        new DeliveryAttempted("m1", ["a@example.test", "b@example.test"], 1, T0.AddSeconds(3)),
        new RecipientDelivered("m1", "a@example.test", SmtpReply.Create(250, "2.0.0 ok"), T0.AddSeconds(4)),
        new RecipientDeferred("m1", "b@example.test", SmtpReply.Create(451, "4.3.0 later"), null, 1, T0.AddMinutes(1), T0.AddSeconds(4)),
        new DeliveryAttempted("m2", ["c@example.test"], 1, T0.AddSeconds(5)),
        new RecipientBounced("m2", "c@example.test", SmtpReply.Create(550, "5.1.1 no such user"), null, true, BounceSource.Smtp, T0.AddSeconds(6)),
        new DeliveryAttempted("m3", ["d@example.test"], 1, T0.AddSeconds(7)),
        new RecipientDelivered("m3", "d@example.test", SmtpReply.Create(250, "2.0.0 ok"), T0.AddSeconds(8)),
    ];

    [Fact]
    public void A_version_1_snapshot_restores_the_state_its_events_build()
    {
        var restored = new PartitionSnapshot(Convert.FromBase64String(Version1Snapshot)).Restore(statusRetention: 10, generateDsn: true);

        // Contents of a version 1 snapshot are inline: loaded, and in no journal row (nothing to read back after a restart).
        var m1 = Assert.Single(restored.Unfinished.Values);
        Assert.Equal("m1", m1.Id);
        Assert.True(m1.Content.IsLoaded);
        Assert.Equal(0, m1.Content.SequenceNr);
        Assert.Equal("Subject: one\r\n\r\nbody one\r\n", Encoding.ASCII.GetString(m1.Content.Bytes.Span));
        Assert.Equal(RecipientState.Deferred, m1.Recipient("b@example.test")!.State);
        Assert.Equal(T0.AddMinutes(1), m1.Recipient("b@example.test")!.NextAttemptAt);
        var dsn = Assert.Single(restored.DsnPending.Values);
        Assert.Equal("m2", dsn.MessageId);
        Assert.Equal("c@example.test", Assert.Single(dsn.Recipients).OriginalRecipient);
        Assert.StartsWith("Subject: two\r\n", Encoding.ASCII.GetString(dsn.Content.Bytes.Span), StringComparison.Ordinal); // what the DSN quotes
        Assert.Equal(["m2", "m3"], restored.Recent.Select(s => s.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal((3L, 2L, 1L), (restored.MessagesAccepted, restored.Delivered, restored.Bounced));
        Assert.Equal(7, restored.SourcePositions["csv"]);

        // Everything else: the state the same events build today, with contents in no journal row (sequence number 0),
        // encodes to the very same bytes.
        var rebuilt = new PartitionState(statusRetention: 10, generateDsn: true);
        foreach (var e in Events())
        {
            rebuilt.Apply(e, sequenceNr: 0);
        }
        Assert.Equal(PartitionSnapshot.From(rebuilt).Bytes, PartitionSnapshot.From(restored).Bytes);
    }

    [Fact]
    public void Without_per_recipient_parameters_events_and_snapshots_keep_the_formats_earlier_versions_read()
    {
        var serializer = new OutboxSerializer(null!);
        var state = new PartitionState(statusRetention: 10, generateDsn: true);
        foreach (var e in Events())
        {
            state.Apply(e, sequenceNr: 0);
        }
        var accepted = (MessageAccepted)Events()[0];

        Assert.Equal("A", serializer.Manifest(accepted));
        Assert.Equal(2, PartitionSnapshot.From(state).Bytes[0]);

        var own = new Dictionary<string, RecipientParameters> { ["b@example.test"] = new() { Notify = DsnNotify.Never, OriginalRecipient = "orig-b@example.test" } };
        var withOwn = accepted with { Envelope = accepted.Envelope with { PerRecipientParameters = own } };
        state.Apply(withOwn with { MessageId = "m4" }, sequenceNr: 0);
        var decoded = (MessageAccepted)serializer.FromBinary(serializer.ToBinary(withOwn), serializer.Manifest(withOwn));
        var snapshot = PartitionSnapshot.From(state);
        var restored = snapshot.Restore(statusRetention: 10, generateDsn: true);

        Assert.Equal("A2", serializer.Manifest(withOwn));
        Assert.Equal(DsnNotify.Never, decoded.Envelope.RecipientParametersFor("B@example.test")!.Notify);
        Assert.Equal("orig-b@example.test", decoded.Envelope.RecipientParametersFor("b@example.test")!.OriginalRecipient);
        Assert.Null(decoded.Envelope.RecipientParametersFor("a@example.test"));
        Assert.Equal(3, snapshot.Bytes[0]);
        Assert.Equal(DsnNotify.Never, restored.Unfinished["m4"].Envelope.RecipientParametersFor("b@example.test")!.Notify);
        Assert.Equal(snapshot.Bytes, PartitionSnapshot.From(restored).Bytes);
    }

    [Fact]
    public void A_pending_dsn_keeps_a_pre_encoded_orcpt_and_only_then_needs_version_4()
    {
        var state = new PartitionState(statusRetention: 10, generateDsn: true);
        foreach (var e in Events())
        {
            state.Apply(e, sequenceNr: 0);
        }
        Assert.Equal(2, PartitionSnapshot.From(state).Bytes[0]);

        state.Apply(new MessageAccepted("m5", T0.AddSeconds(9), new StoredEnvelope("sender@example.test", ["e@example.test"], null, null,
            new RecipientParameters { Notify = DsnNotify.Failure, OriginalRecipientRaw = "rfc822;alias+2Be@example.test" }),
            Ascii("Subject: five\r\n\r\nbody five\r\n"), null, null, 0, []), sequenceNr: 0);
        state.Apply(new DeliveryAttempted("m5", ["e@example.test"], 1, T0.AddSeconds(10)), sequenceNr: 0);
        state.Apply(new RecipientBounced("m5", "e@example.test", SmtpReply.Create(550, "5.1.1 no such user"), null, true, BounceSource.Smtp, T0.AddSeconds(11)), sequenceNr: 0);
        var snapshot = PartitionSnapshot.From(state);
        var restored = snapshot.Restore(statusRetention: 10, generateDsn: true);

        Assert.Equal(4, snapshot.Bytes[0]);
        var raw = Assert.Single(restored.DsnPending["m5"].Recipients);
        Assert.Equal(("rfc822;alias+2Be@example.test", null), (raw.OriginalRecipientRaw, raw.OriginalRecipient));
        Assert.Equal("c@example.test", Assert.Single(restored.DsnPending["m2"].Recipients).OriginalRecipient);
        Assert.Equal(snapshot.Bytes, PartitionSnapshot.From(restored).Bytes);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
