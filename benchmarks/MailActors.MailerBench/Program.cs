// Throughput of the delivery engine (Mailer → RouteSupervisor → SmtpSessionActor pool) into an SMTP sink.
// Usage: MailActors.MailerBench HOST:PORT SESSIONS MESSAGES SIZE
// Prints one line: messages, seconds, msg/s, and the process's peak working set, for the comparison script.
using System.Diagnostics;
using Akka.Actor;
using MailActors.Benchmarking;
using MailActors.Configuration;
using MailActors.Delivery;
using MailActors.Smtp;
using MailActors.Transport;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: MailActors.MailerBench HOST:PORT SESSIONS MESSAGES SIZE");
    return 1;
}
var target = ServerAddress.Parse(args[0]);
var sessions = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var messages = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var size = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);

var content = MessageContent.FromBytes(BenchContent.Create(size, "mailer bench"));

using var system = ActorSystem.Create("bench", MailActorsConfig.WithOverrides("akka.loglevel = WARNING"));
var route = BenchRoute.To(target, sessions);
await using var mailer = Mailer.Create(system, new MailerOptions { Routes = [route] });

// What start-up (runtime, actor system, mailer) cost, so a whole-process CPU figure can be split into start-up and sending.
var startupCpu = Process.GetCurrentProcess().TotalProcessorTime;
var clock = Stopwatch.StartNew();
var failures = 0;
var remaining = messages;
var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
// A bounded window of outstanding sends, and no list of them: memory must not grow with the message count.
var window = new SemaphoreSlim(sessions * 8);
for (var i = 0; i < messages; i++)
{
    await window.WaitAsync();
    _ = mailer.SendAsync(new OutgoingMail("bench@example.test", ["sink@example.test"], content))
        .ContinueWith(t =>
        {
            if (t.IsFaulted || !t.Result.AllDelivered)
            {
                Interlocked.Increment(ref failures);
            }
            window.Release();
            if (Interlocked.Decrement(ref remaining) == 0)
            {
                finished.TrySetResult();
            }
        }, TaskScheduler.Default);
}
await finished.Task;
clock.Stop();
var self = Process.GetCurrentProcess();
var peak = self.PeakWorkingSet64;
var sendingCpu = self.TotalProcessorTime - startupCpu;
Console.WriteLine($"mailer messages={messages} failures={failures} seconds={clock.Elapsed.TotalSeconds:F2} msg_per_s={messages / clock.Elapsed.TotalSeconds:F0} startup_cpu_s={startupCpu.TotalSeconds:F2} sending_cpu_us_per_msg={sendingCpu.TotalMicroseconds / messages:F1} peak_working_set_mb={peak / (1024.0 * 1024):F1} gc={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} allocated_mb={GC.GetTotalAllocatedBytes() / (1024.0 * 1024):F0}");
return failures == 0 ? 0 : 2;
