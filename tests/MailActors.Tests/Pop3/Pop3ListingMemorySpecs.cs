using MailActors.Pop3;
using MailActors.Protocol.Pop3;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Tests.Pop3;

/// <summary>
/// A hostile server cannot make a listing take more memory than <c>max-listing-size</c>: CAPA is asked at every
/// connect, so any server could otherwise fill the heap with a flood of tiny lines.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class Pop3ListingMemorySpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task A_capa_flood_of_tiny_lines_ends_the_session_at_the_listing_limit_in_bounded_memory()
    {
        const long limit = 1024 * 1024;
        // 8 MiB of one-character lines: far inside the 256 MiB wire limit, some 200 MB as strings in a list.
        var flood = new byte[8 * 1024 * 1024];
        for (int i = 0; i < flood.Length; i += 2)
        {
            flood[i] = (byte)'1';
            flood[i + 1] = (byte)'\n';
        }

        await using var server = new RawServer(async c =>
        {
            await c.SendAsync("+OK hostile POP3\r\n");
            await c.ExpectAsync("CAPA");
            await c.SendAsync("+OK\r\n");
            for (int offset = 0; offset < flood.Length; offset += 64 * 1024)
            {
                await c.Stream.WriteAsync(flood.AsMemory(offset, Math.Min(64 * 1024, flood.Length - offset)));
            }

            await c.SendAsync(".\r\n");
            while (await c.Stream.ReadAsync(new byte[256]) > 0)
            {
            }
        });
        var settings = new Pop3SessionSettings
        {
            Connection = Loopback(server.Port),
            CommandTimeout = TimeSpan.FromSeconds(30),
            ResponseLimits = new Pop3ParserOptions { MaxListingBytes = limit },
        };
        var session = Sys.ActorOf(Pop3SessionActor.Props(settings));

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<Pop3ProtocolException>(() => AskPop3<Connected>(session, Connect.Instance));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        _output.WriteLine($"{error.Message} Allocated {allocated} bytes meanwhile.");
        Assert.Contains("listing", error.Message, StringComparison.Ordinal);
        Assert.Contains("1048576", error.Message, StringComparison.Ordinal);
        Assert.Equal("Closed", await Pop3StateOf(session));
        Assert.True(allocated < 8 * limit, $"Reading a CAPA up to a {limit}-octet listing limit allocated {allocated} bytes.");
    }
}
