using System.Globalization;

namespace MailActors.Cli.Load;

/// <summary>Number formatting shared by the terminal, JSON and HTML reports.</summary>
internal static class Units
{
    public static string Bytes(double bytes) => bytes switch
    {
        >= 1024d * 1024 * 1024 => (bytes / (1024d * 1024 * 1024)).ToString("0.00 'GiB'", CultureInfo.InvariantCulture),
        >= 1024d * 1024 => (bytes / (1024d * 1024)).ToString("0.0 'MiB'", CultureInfo.InvariantCulture),
        >= 1024d => (bytes / 1024d).ToString("0.0 'KiB'", CultureInfo.InvariantCulture),
        _ => bytes.ToString("0 'B'", CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Milliseconds as a bare number, whatever the size (15,000 stays milliseconds): callers own the unit, in a column
    /// heading or by <see cref="Latency"/>, so a long latency cannot come out as "15.0 s ms".
    /// </summary>
    public static string Ms(double ms) => ms switch
    {
        >= 10_000 => ms.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => ms.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => ms.ToString("0.0", CultureInfo.InvariantCulture),
        _ => ms.ToString("0.000", CultureInfo.InvariantCulture),
    };

    /// <summary>A latency with its unit, or a dash when nothing was measured (a 0 would read as the fastest time).</summary>
    public static string Latency(double? ms) => ms is { } value ? Ms(value) + " ms" : NotMeasured;

    /// <summary>What stands for a value that was not measured.</summary>
    public const string NotMeasured = "—";

    public static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond.ToString("#,0.0", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00 's'", CultureInfo.InvariantCulture);
}
