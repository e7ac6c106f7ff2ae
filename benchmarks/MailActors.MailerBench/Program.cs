// Throughput of the delivery engine (Mailer → RouteSupervisor → SmtpSessionActor pool) into an SMTP sink.
// Usage: MailActors.MailerBench HOST:PORT SESSIONS MESSAGES SIZE
// Prints one line: messages, seconds, msg/s, and the process's peak working set, for the comparison script.
using System.Diagnostics;
using System.Text;
using Akka.Actor;
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

var header = "From: <bench@example.test>\r\nTo: <sink@example.test>\r\nSubject: mailer bench\r\n\r\n";
var line = new string('x', 76) + "\r\n";
var body = new StringBuilder(header);
while (body.Length < size)
{
    body.Append(line);
}
var content = MessageContent.FromBytes(Encoding.ASCII.GetBytes(body.ToString(0, Math.Max(size, header.Length))));

using var system = ActorSystem.Create("bench", MailActorsConfig.WithOverrides("akka.loglevel = WARNING"));
var route = new RouteOptions
{
    Name = "sink",
    Session = new SmtpSessionSettings
    {
        Connection = new ConnectionSpec { Hosts = [target], DefaultPort = target.Port ?? 25 },
        HelloDomain = "bench.example.test",
    },
    MaxSessions = sessions,
    MaxMessagesPerSession = int.MaxValue,
    QueueCapacity = sessions * 4,
};
await using var mailer = Mailer.Create(system, new MailerOptions { Routes = [route] });

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
var peak = Process.GetCurrentProcess().PeakWorkingSet64;
Console.WriteLine($"mailer messages={messages} failures={failures} seconds={clock.Elapsed.TotalSeconds:F2} msg_per_s={messages / clock.Elapsed.TotalSeconds:F0} peak_working_set_mb={peak / (1024.0 * 1024):F1} gc={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} allocated_mb={GC.GetTotalAllocatedBytes() / (1024.0 * 1024):F0}");
return failures == 0 ? 0 : 2;
