using System.Text.Json;

namespace MailActors.Cli.Tests.Support;

/// <summary>Reads a <c>--json</c> load report.</summary>
internal static class JsonReportFile
{
    public static async Task<JsonElement> ReadAsync(string path)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        return document.RootElement.Clone();
    }

    public static long Total(this JsonElement report, string name) => report.GetProperty("totals").GetProperty(name).GetInt64();

    public static Dictionary<int, long> RepliesByCode(this JsonElement report) =>
        report.GetProperty("repliesByCode").EnumerateObject().ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetInt64());

    public static IEnumerable<(string Phase, string What, long Count)> Errors(this JsonElement report) =>
        report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("phase").GetString()!, e.GetProperty("what").GetString()!, e.GetProperty("count").GetInt64()));

    public static IEnumerable<string> Steps(this JsonElement report) =>
        report.GetProperty("latencyMs").EnumerateArray().Select(e => e.GetProperty("step").GetString()!);
}
