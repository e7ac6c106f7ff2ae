// Durable bulk throughput: messages journaled by the outbox (Akka.Persistence.Sql on SQLite or PostgreSQL), then
// delivered through the Mailer's session pool into an SMTP sink. The clock runs from the first enqueue until the last
// Delivered outcome is journaled, so it includes every durable write (Accepted, Attempted, Delivered per message).
// Usage: MailActors.OutboxBench HOST:PORT SESSIONS MESSAGES SIZE STORE [IN-FLIGHT] [PARTITIONS]
//   STORE: sqlite:FILE | postgres:CONNECTION-STRING (the store is emptied first: a file is deleted, a database dropped)
// Prints one line for the comparison script.
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using MailActors.Benchmarking;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Outbox;
using MailActors.Smtp;
using MailActors.Transport;

if (args.Length is < 5 or > 7)
{
    Console.Error.WriteLine("usage: MailActors.OutboxBench HOST:PORT SESSIONS MESSAGES SIZE STORE [IN-FLIGHT] [PARTITIONS]");
    return 1;
}
var target = ServerAddress.Parse(args[0]);
var sessions = int.Parse(args[1], CultureInfo.InvariantCulture);
var messages = int.Parse(args[2], CultureInfo.InvariantCulture);
var size = int.Parse(args[3], CultureInfo.InvariantCulture);
var storeSpec = args[4];
var inFlight = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 1000;
var partitions = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 4;

var store = OutboxStore.Parse(storeSpec);
await BenchStore.EmptyAsync(store);
await store.PrepareAsync();
var bytes = BenchContent.Create(size, "outbox bench");

// OUTBOX_BENCH_HOCON: extra HOCON for experiments (outbox knobs, journal settings), e.g. "mailactors.outbox.partitions = 2".
var extra = ConfigurationFactory.ParseString(Environment.GetEnvironmentVariable("OUTBOX_BENCH_HOCON") ?? "");
using var system = ActorSystem.Create("bench", extra.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
    .WithFallback(store.ToConfig()).WithFallback(MailActorsConfig.Default));
var route = BenchRoute.To(target, sessions, maxAttempts: 1);
var options = OutboxOptions.FromConfig(extra) with { InFlight = inFlight, Partitions = partitions };
var outbox = await Outbox.StartAsync(system, options, new MailerOptions { Routes = [route] });

var clock = Stopwatch.StartNew();
var enqueueClock = Stopwatch.StartNew();
var writes = new Queue<Task<IReadOnlyList<EnqueueResult>>>();
const int Batch = 500;
for (var start = 0; start < messages; start += Batch)
{
    var batch = Enumerable.Range(start, Math.Min(Batch, messages - start))
        .Select(i => new OutboxMessage(new OutgoingMail("bench@example.test", ["sink@example.test"], MessageContent.FromBytes(bytes)) { MessageId = "b" + i.ToString(CultureInfo.InvariantCulture) }))
        .ToArray();
    writes.Enqueue(outbox.EnqueueBatchAsync(batch));
    while (writes.Count >= 4)
    {
        await writes.Dequeue();
    }
}
while (writes.Count > 0)
{
    await writes.Dequeue();
}
var enqueueSeconds = enqueueClock.Elapsed.TotalSeconds;
OutboxCounts counts;
while (true)
{
    counts = await outbox.GetCountsAsync();
    if (counts.MessagesUnfinished == 0)
    {
        break;
    }
    await Task.Delay(20);
}
clock.Stop();
await outbox.DisposeAsync();
var peak = Process.GetCurrentProcess().PeakWorkingSet64;
var kind = storeSpec.Split(':')[0];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"outbox store={kind} messages={messages} delivered={counts.Delivered} failures={counts.Bounced + counts.Expired} seconds={clock.Elapsed.TotalSeconds:F2} msg_per_s={messages / clock.Elapsed.TotalSeconds:F0} enqueue_msg_per_s={messages / enqueueSeconds:F0} in_flight={inFlight} partitions={partitions} peak_working_set_mb={peak / (1024.0 * 1024):F1} gc={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} allocated_mb={GC.GetTotalAllocatedBytes() / (1024.0 * 1024):F0}"));
return counts.Delivered == messages ? 0 : 2;
