using System.Globalization;

namespace MailActors.Delivery;

/// <summary>
/// Default message ids: 32 hex digits, a random half drawn once per process and a counter. As unique as a GUID for this
/// purpose without a call into the system's random source for every message (measurable at tens of thousands a second).
/// </summary>
internal static class MessageIds
{
    private static readonly string ProcessPrefix = Guid.NewGuid().ToString("N")[..16];
    private static long _counter;

    public static string New() =>
        string.Create(CultureInfo.InvariantCulture, $"{ProcessPrefix}{Interlocked.Increment(ref _counter):x16}");
}
