using System.Text;
using Akka.Actor;
using MailActors.Cli.Commands.Bulk;
using MailActors.Delivery;
using MailActors.Outbox;
using MailActors.Outbox.Tests.Support;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;

namespace MailActors.Cli.Tests;

/// <summary>
/// <c>bulk</c>'s journaling while a partition is not running, on a real outbox started as the command starts it (SQLite)
/// and delivering to the in-process SMTP server. Partition 1 is made to restart after a journal failure for as long as
/// the test wants: its journal gets a row this version cannot read, and its actor is stopped, so that its backoff
/// supervisor starts it again and every recovery fails until the row is gone.
/// </summary>
public sealed class BulkJournalTests : IAsyncLifetime
{
    private const string Input = "test";
    private const int Partitions = 2;
    private readonly string _directory = Directory.CreateTempSubdirectory("mailactors-bulkjournal-").FullName;
    private readonly StringWriter _errors = new();
    private SmtpTestServer _server = null!;
    private OutboxHost _host = null!;
    private UnreadableJournalRow _row = null!;

    private MailActors.Outbox.Outbox Box => _host.Outbox;

    public async Task InitializeAsync()
    {
        _server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        var store = OutboxStore.Sqlite(Path.Combine(_directory, "outbox.db"));
        var options = OutboxOptions.FromConfig() with { Partitions = Partitions, InFlight = 16 };
        _host = await OutboxHost.StartAsync(store, options, new MailerOptions { Routes = [Route(_server.Port)] }, CancellationToken.None);
        _row = new UnreadableJournalRow(Path.Combine(_directory, "outbox.db"), $"{options.PersistenceIdPrefix}-partition-1");
    }

    public async Task DisposeAsync()
    {
        await _row.DeleteAsync();
        await _host.DisposeAsync();
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Messages_refused_while_their_partition_restarts_are_journaled_once_it_is_back()
    {
        var messages = Messages(0, 20);
        var resumed = await Box.GetSourceCursorAsync(Input); // as bulk reads it, once the outbox has started
        await StopPartitionOneAsync();
        var firstWait = true;
        var retry = UnavailableRetry.Default with
        {
            Wait = async (delay, ct) =>
            {
                if (firstWait)
                {
                    // Only after the first refusal: the partition's next start recovers.
                    firstWait = false;
                    await _row.DeleteAsync();
                }
                await Task.Delay(delay, ct);
            },
        };
        var journal = new BulkJournal(Box, resumed, retry, _errors);

        await journal.SettleAsync(await journal.WriteAsync(messages, CancellationToken.None));
        Assert.True(journal.HasUnavailable, "partition 1 refused its messages");
        await journal.RetryUnavailableAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, journal.Rejected);
        Assert.Equal("", _errors.ToString());
        Assert.Equal(messages.Count(m => Box.PartitionOf(m.Mail.MessageId!) == 1), journal.JournaledOnRetry);
        await AllDeliveredOnceAsync(messages);
        await CursorCoversAsync(messages);
    }

    [Fact]
    public async Task A_retry_after_its_partition_journaled_later_positions_is_not_taken_for_journaled()
    {
        var early = Messages(0, 10);
        var late = Messages(10, 20);
        var resumed = await Box.GetSourceCursorAsync(Input);
        await StopPartitionOneAsync();
        var journal = new BulkJournal(Box, resumed, UnavailableRetry.Default, _errors);
        await journal.SettleAsync(await journal.WriteAsync(early, CancellationToken.None));
        Assert.True(journal.HasUnavailable, "partition 1 refused its early messages");

        // The partition comes back, and a later batch (one still in flight, say) journals later positions of it: the
        // early ones retried with their positions would be answered AlreadyAccepted, by position, and lost.
        await _row.DeleteAsync();
        await PartitionOneRunsAsync();
        await journal.SettleAsync(await journal.WriteAsync(late, CancellationToken.None));
        Assert.Contains(late, m => Box.PartitionOf(m.Mail.MessageId!) == 1);
        await journal.RetryUnavailableAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        await AllDeliveredOnceAsync([.. early, .. late]);
        await CursorCoversAsync([.. early, .. late]);
    }

    [Fact]
    public async Task Messages_whose_partition_does_not_come_back_end_the_run_naming_them()
    {
        var messages = Messages(0, 20);
        var onPartitionOne = messages.Where(m => Box.PartitionOf(m.Mail.MessageId!) == 1).Select(m => m.Mail.MessageId!).ToArray();
        Assert.NotEmpty(onPartitionOne);
        Assert.NotEqual(messages.Length, onPartitionOne.Length);
        var resumed = await Box.GetSourceCursorAsync(Input);
        await StopPartitionOneAsync();
        var retry = new UnavailableRetry(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));
        var journal = new BulkJournal(Box, resumed, retry, _errors);

        await journal.SettleAsync(await journal.WriteAsync(messages, CancellationToken.None));
        var error = await Assert.ThrowsAsync<NotJournaledException>(() => journal.RetryUnavailableAsync(CancellationToken.None));

        Assert.Equal(onPartitionOne, error.MessageIds);
        Assert.Empty(error.SkippedByLaterRuns);
        Assert.StartsWith($"{onPartitionOne.Length} message(s) were not journaled: their outbox partition was not running for 1 s", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("; a run with the same store enqueues them again", error.Message, StringComparison.Ordinal);
        foreach (var id in onPartitionOne.Take(10))
        {
            Assert.Contains(id, error.Message, StringComparison.Ordinal);
        }
        var lines = _errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(onPartitionOne.Select(id => $"not journaled {id}: "), lines.Select(l => l[..(l.IndexOf(": ", StringComparison.Ordinal) + 2)]));
        Assert.Equal(0, journal.Rejected);

        // Nothing of them was journaled, and the cursor does not pass over them: a later run enqueues them.
        await _row.DeleteAsync();
        await PartitionOneRunsAsync();
        var cursor = await Box.GetSourceCursorAsync(Input);
        Assert.All(messages.Where(m => onPartitionOne.Contains(m.Mail.MessageId)), m => Assert.False(cursor.Contains(m.Mail.MessageId!, m.Source!.Value.Position)));
        foreach (var id in onPartitionOne)
        {
            Assert.Null(await Box.GetStatusAsync(id));
        }
    }

    /// <summary>Partition 1 restarting after a journal failure, and failing again, until <see cref="_row"/> is deleted.</summary>
    private async Task StopPartitionOneAsync()
    {
        await _row.InsertAsync();
        var partition = await _host.System.ActorSelection("/user/outbox-*-partition-1/partition").ResolveOne(TimeSpan.FromSeconds(10));
        Assert.True(await partition.GracefulStop(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Its backoff supervisor starts it again within 10 s; a query it answers shows it is back.</summary>
    private Task PartitionOneRunsAsync() =>
        Eventually.TrueAsync(async () =>
        {
            var id = Enumerable.Range(0, 100).Select(i => $"probe-{i}").First(i => Box.PartitionOf(i) == 1);
            using var answered = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await Box.GetStatusAsync(id, answered.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }, "partition 1 running again", timeoutSeconds: 30);

    private async Task AllDeliveredOnceAsync(IReadOnlyList<OutboxMessage> messages)
    {
        await Eventually.TrueAsync(() => _server.MessagesReceived >= messages.Count, $"{messages.Count} messages delivered", timeoutSeconds: 30);
        var subjects = _server.Messages.Select(m => Encoding.ASCII.GetString(m.Data.Span).Split("\r\n").First(l => l.StartsWith("Subject: ", StringComparison.Ordinal))[9..]);
        Assert.Equal(messages.Select(m => m.Mail.MessageId!).Order(), subjects.Order());
    }

    private async Task CursorCoversAsync(IReadOnlyList<OutboxMessage> messages)
    {
        // A later run skips every one of them, and would not enqueue them a second time.
        var cursor = await Box.GetSourceCursorAsync(Input);
        Assert.All(messages, m => Assert.True(cursor.Contains(m.Mail.MessageId!, m.Source!.Value.Position), m.Mail.MessageId));
    }

    private static OutboxMessage[] Messages(int from, int to) =>
        Enumerable.Range(from, to - from).Select(i =>
        {
            var id = $"m{i:D3}";
            var content = $"From: <bulk@example.test>\r\nTo: <sink@example.test>\r\nSubject: {id}\r\nMessage-ID: <{id}@bulk.test>\r\n\r\nbody\r\n";
            var mail = new OutgoingMail("bulk@example.test", ["sink@example.test"], MessageContent.FromBytes(Encoding.ASCII.GetBytes(content))) { MessageId = id };
            return new OutboxMessage(mail) { Source = new SourcePosition(Input, i) };
        }).ToArray();

    private static RouteOptions Route(int port) => new()
    {
        Name = "bulk",
        Session = new SmtpSessionSettings
        {
            Connection = new ConnectionSpec { Hosts = [ServerAddress.Parse($"127.0.0.1:{port}")], DefaultPort = port },
            HelloDomain = "bulk.test",
            CommandTimeout = TimeSpan.FromSeconds(10),
        },
        MaxSessions = 2,
        MaxAttempts = 1,
    };
}
