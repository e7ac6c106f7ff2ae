// Recovery of a large backlog after a crash: how long the outbox takes to come back with MESSAGES unfinished messages
// in its store, and how fast it delivers them once back. Two runs of this program, with a SIGKILL in between
// (benchmarks/outbox/recovery.sh drives them):
//
//   MailActors.RecoveryBench fill STORE MESSAGES SIZE
//       Empties STORE and queues MESSAGES messages for a destination that is down (a closed port on 127.0.0.1), so
//       every one is deferred. Prints "filled ..." once all are deferred and the partitions have been idle long enough
//       to snapshot, then waits to be killed.
//   MailActors.RecoveryBench recover STORE HOST:PORT SESSIONS
//       Starts on STORE with the destination up at HOST:PORT and a clock two hours ahead, so every deferred message
//       is due at once. Prints how long recovery took (until Outbox.StartAsync returned: every partition replayed),
//       until the first delivery (the older contents are read back before anything is dispatched), and until the last.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using MailActors.Benchmarking;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Outbox;
using MailActors.Smtp;
using MailActors.Transport;

var mode = args.Length > 0 ? args[0] : "";
if (!(mode == "fill" && args.Length == 4) && !(mode == "recover" && args.Length == 4))
{
    Console.Error.WriteLine("usage: MailActors.RecoveryBench fill STORE MESSAGES SIZE | recover STORE HOST:PORT SESSIONS");
    return 1;
}
var store = OutboxStore.Parse(args[1]);
var startedCpu = Process.GetCurrentProcess().TotalProcessorTime;
if (mode == "fill")
{
    await BenchStore.EmptyAsync(store);
}
await store.PrepareAsync();
using var system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING")
    .WithFallback(store.ToConfig()).WithFallback(MailActorsConfig.Default));
return mode == "fill"
    ? await FillAsync(int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture))
    : await RecoverAsync(ServerAddress.Parse(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture));

async Task<int> FillAsync(int messages, int size)
{
    var down = ClosedPort();
    // The backlog is built on purpose, beyond the memory bound if asked: the bound would make the fill wait for deliveries
    // that never come. (It gates new enqueues only; recovery reads back whatever the store holds.) Contents stay in
    // memory however long the deferral, so the figure below is what a message costs with its content held.
    var options = new OutboxOptions { MaxUnfinishedBytes = long.MaxValue, DeferredContentInMemoryWithin = TimeSpan.MaxValue };
    var outbox = await Outbox.StartAsync(system, options, Routes(new ServerAddress("127.0.0.1", down), sessions: 4));
    var bytes = BenchContent.Create(size, "recovery bench");
    var heapBefore = LiveHeapBytes();
    const int Batch = 500;
    for (var start = 0; start < messages; start += Batch)
    {
        var batch = Enumerable.Range(start, Math.Min(Batch, messages - start))
            .Select(i => new OutboxMessage(new OutgoingMail("bench@example.test", ["sink@example.test"], MessageContent.FromBytes(bytes.ToArray())) { MessageId = "r" + i.ToString(CultureInfo.InvariantCulture) }))
            .ToArray();
        await outbox.EnqueueBatchAsync(batch);
    }
    while ((await outbox.GetCountsAsync()).Deferred < messages)
    {
        await Task.Delay(200);
    }
    // Partitions snapshot after two idle seconds (snapshot-idle-after): the backlog a crash would find in a steady state.
    await Task.Delay(TimeSpan.FromSeconds(5));
    // What one unfinished message costs in memory: state_b is the live heap per message beyond its content, the figure
    // the memory bound (max-unfinished-bytes) estimates as ContentBudget.StateBytesPerMessage.
    var perMessage = (LiveHeapBytes() - heapBefore) / messages;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"filled messages={messages} size={size} store={store.Describe()} live_heap_per_message_b={perMessage} state_b={perMessage - bytes.Length}"));
    await Task.Delay(Timeout.Infinite);
    return 0;
}

async Task<int> RecoverAsync(ServerAddress sink, int sessions)
{
    var clock = Stopwatch.StartNew();
    var options = new OutboxOptions { Clock = new AheadClock(TimeSpan.FromHours(2)) };
    var outbox = await Outbox.StartAsync(system, options, Routes(sink, sessions));
    var recovered = clock.Elapsed;
    var recoveredCpu = Process.GetCurrentProcess().TotalProcessorTime - startedCpu;
    var first = await outbox.GetCountsAsync();
    var backlog = first.MessagesUnfinished + first.Delivered; // deliveries may already have begun
    TimeSpan? firstDelivery = null;
    OutboxCounts counts;
    while (true)
    {
        counts = await outbox.GetCountsAsync();
        if (counts.Delivered > 0)
        {
            firstDelivery ??= clock.Elapsed;
        }
        if (counts.MessagesUnfinished == 0)
        {
            break;
        }
        await Task.Delay(20);
    }
    var done = clock.Elapsed;
    await outbox.DisposeAsync();
    var peak = Process.GetCurrentProcess().PeakWorkingSet64;
    var deliverySeconds = (done - firstDelivery!.Value).TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"recover backlog={backlog} delivered={counts.Delivered} failures={counts.Bounced + counts.Expired} recovered_s={recovered.TotalSeconds:F2} recovery_cpu_s={recoveredCpu.TotalSeconds:F2} first_delivery_s={firstDelivery.Value.TotalSeconds:F2} all_delivered_s={done.TotalSeconds:F2} msg_per_s_after_first={counts.Delivered / Math.Max(deliverySeconds, 0.001):F0} peak_working_set_mb={peak / (1024.0 * 1024):F1}"));
    return counts.Delivered == backlog ? 0 : 2;
}

static MailerOptions Routes(ServerAddress target, int sessions) => new() { Routes = [BenchRoute.To(target, sessions, maxAttempts: 1)] };

// A port nothing listens on: bound once to learn a free number, then released.
static int ClosedPort()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    var port = ((IPEndPoint)probe.LocalEndpoint).Port;
    probe.Stop();
    return port;
}

// The managed heap that survives a full, compacting collection: what is live, without garbage or fragmentation.
static long LiveHeapBytes()
{
    System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(forceFullCollection: false);
}

/// <summary>The system clock moved ahead, so deferred messages are due when the outbox comes back.</summary>
internal sealed class AheadClock(TimeSpan ahead) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
}

