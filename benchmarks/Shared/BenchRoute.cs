using MailActors.Delivery;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Benchmarking;

/// <summary>The route every benchmark program sends over: one destination, a pool of reused sessions.</summary>
internal static class BenchRoute
{
    /// <summary>
    /// A route named "sink" to <paramref name="target"/> with up to <paramref name="sessions"/> sessions, each reused for
    /// every message it can take. <paramref name="maxAttempts"/>: 1 where the outbox owns retries.
    /// </summary>
    public static RouteOptions To(ServerAddress target, int sessions, int maxAttempts = 3) => new()
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
        MaxAttempts = maxAttempts,
    };
}
