using System.Globalization;

namespace MailActors.Testing;

/// <summary>Unique <c>&lt;pid.counter@host&gt;</c> strings for CRAM-MD5 challenges and the POP3 APOP greeting.</summary>
internal static class Timestamps
{
    private static long s_counter = DateTime.UtcNow.Ticks;

    public static string Next(string host) =>
        string.Create(CultureInfo.InvariantCulture, $"<{Environment.ProcessId}.{Interlocked.Increment(ref s_counter)}@{host}>");
}
