using System.Text;
using MailActors.Outbox.Persistence;

namespace MailActors.Outbox.Tests;

/// <summary>The measured, single-allocation encoding that group commits and snapshots use.</summary>
public sealed class BinaryCodecTests
{
    private static readonly byte[] Content = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();

    private static void WriteSample(BinaryWriter w)
    {
        w.Write("grüße ✉ from the outbox");
        w.Write7BitEncodedInt(Content.Length);
        w.Write(Content);
        w.Write(DateTime.UnixEpoch.Ticks);
        w.WriteNullable((string?)null);
    }

    [Fact]
    public void Encodes_exactly_what_a_growing_stream_would_hold()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            WriteSample(w);
        }

        var encoded = BinaryCodec.Encode(WriteSample);

        Assert.Equal(stream.ToArray(), encoded);
    }

    [Fact]
    public void A_writer_that_writes_less_the_second_time_is_refused()
    {
        var pass = 0;

        var error = Assert.Throws<InvalidOperationException>(() => BinaryCodec.Encode(w => w.Write(++pass == 1 ? "longer" : "short")));

        Assert.Contains("after measuring", error.Message, StringComparison.Ordinal);
    }
}
