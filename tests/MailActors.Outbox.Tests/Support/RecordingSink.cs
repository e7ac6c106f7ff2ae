using System.Text;
using System.Text.RegularExpressions;
using MailActors.Testing;

namespace MailActors.Outbox.Tests.Support;

/// <summary>
/// The sink of the crash tests: an in-process SMTP server that lives in the test process, so its record of every
/// message received survives the bulk process being killed. Counts receptions per Message-ID.
/// </summary>
internal sealed partial class RecordingSink : IAsyncDisposable
{
    private readonly SmtpTestServer _server;

    private RecordingSink(SmtpTestServer server) => _server = server;

    public static async Task<RecordingSink> StartAsync() =>
        new(await SmtpTestServer.StartAsync(new SmtpTestServerOptions { StartTls = false, Chunking = false }));

    public int Port => _server.Port;

    public long Received => _server.MessagesReceived;

    /// <summary>How many times each Message-ID arrived (complete messages only: a transfer cut by a kill is not recorded).</summary>
    public Dictionary<string, int> CountsById()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var message in _server.Messages)
        {
            var head = Encoding.ASCII.GetString(message.Data.Span[..Math.Min(message.Data.Length, 512)]);
            var match = MessageIdHeader().Match(head);
            var id = match.Success ? match.Groups[1].Value : "(none)";
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        return counts;
    }

    [GeneratedRegex(@"Message-ID: <([^@>]+)@", RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdHeader();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
