using System.Buffers;
using MailActors.Protocol.Smtp.Data;
using static MailActors.Protocol.Tests.Data.DataTestHelpers;

namespace MailActors.Protocol.Tests.Data;

public class DataEncoderTests
{
    [Theory]
    [InlineData("", ".\r\n")]
    [InlineData("a", "a\r\n.\r\n")]
    [InlineData("a\r\n", "a\r\n.\r\n")]
    [InlineData("a\r\nb", "a\r\nb\r\n.\r\n")]
    [InlineData(".", "..\r\n.\r\n")]
    [InlineData(".x\r\n", "..x\r\n.\r\n")]
    [InlineData("x.\r\n.y", "x.\r\n..y\r\n.\r\n")]
    [InlineData("a\n.\nb", "a\r\n..\r\nb\r\n.\r\n")]
    [InlineData("a\r.\rb", "a\r\n..\r\nb\r\n.\r\n")]
    [InlineData("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n")]
    [InlineData("a\n\rb", "a\r\n\r\nb\r\n.\r\n")]
    [InlineData("\r\n.\r\n", "\r\n..\r\n.\r\n")]
    [InlineData("..\r\n", "...\r\n.\r\n")]
    [InlineData("\n", "\r\n.\r\n")]
    [InlineData("\r", "\r\n.\r\n")]
    public void Encodes_line_endings_and_leading_dots(string content, string expectedWire)
    {
        Assert.Equal(expectedWire, Text(EncodeInChunks(Bytes(content), [])));
    }

    [Fact]
    public void Smuggling_sequences_never_reach_the_wire_as_a_terminator()
    {
        // "\n.\n" and "\r.\r" would end DATA early on lenient servers; they must leave as stuffed CRLF lines.
        var wire = Text(EncodeInChunks(Bytes("Subject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@example>\r.\rRCPT TO:<v@example>\r\n"), []));

        Assert.Equal("Subject: x\r\n\r\nbody\r\n..\r\nMAIL FROM:<evil@example>\r\n..\r\nRCPT TO:<v@example>\r\n.\r\n", wire);
        Assert.Equal(wire.Length - 3, wire.IndexOf("\r\n.\r\n", StringComparison.Ordinal) + 2);
    }

    [Fact]
    public void A_CR_at_the_end_of_one_chunk_pairs_with_an_LF_at_the_start_of_the_next()
    {
        var encoder = new DataEncoder();
        var output = new ArrayBufferWriter<byte>();

        encoder.Encode("a\r"u8, output);
        encoder.Encode("\n.b"u8, output);
        encoder.Complete(output);

        Assert.Equal("a\r\n..b\r\n.\r\n", Text(output.WrittenSpan));
    }

    [Fact]
    public void Counts_bytes_in_and_out_including_the_terminator()
    {
        var encoder = new DataEncoder();
        var output = new ArrayBufferWriter<byte>();

        encoder.Encode(".a\nb"u8, output);
        encoder.Complete(output);

        Assert.Equal(4, encoder.BytesIn);
        Assert.Equal(output.WrittenCount, encoder.BytesOut);
        Assert.Equal("..a\r\nb\r\n.\r\n", Text(output.WrittenSpan));
    }

    [Fact]
    public void Encode_after_Complete_throws_until_Reset()
    {
        var encoder = new DataEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("x"u8, output);
        encoder.Complete(output);

        Assert.Throws<InvalidOperationException>(() => encoder.Encode("y"u8, output));
        Assert.Throws<InvalidOperationException>(() => encoder.Complete(output));

        encoder.Reset();
        var second = new ArrayBufferWriter<byte>();
        encoder.Encode(".y"u8, second);
        encoder.Complete(second);
        Assert.Equal("..y\r\n.\r\n", Text(second.WrittenSpan));
        Assert.Equal(2, encoder.BytesIn);
        Assert.Equal(second.WrittenCount, encoder.BytesOut);
    }

    [Fact]
    public void Reset_forgets_a_pending_CR_and_a_mid_line_position()
    {
        var encoder = new DataEncoder();
        encoder.Encode("abc\r"u8, new ArrayBufferWriter<byte>());
        encoder.Reset();
        var output = new ArrayBufferWriter<byte>();

        encoder.Encode("\n.x"u8, output);
        encoder.Complete(output);

        Assert.Equal("\r\n..x\r\n.\r\n", Text(output.WrittenSpan));
    }

    [Fact]
    public void Large_input_into_exactly_sized_spans_matches_the_reference()
    {
        var random = new Random(5321);
        var alphabet = Bytes(".\r\n\r\nabcdefgh.");
        var content = new byte[100_000];
        for (int i = 0; i < content.Length; i++) content[i] = alphabet[random.Next(alphabet.Length)];
        var encoder = new DataEncoder();
        var output = new StingyBufferWriter();

        encoder.Encode(content, output);
        encoder.Complete(output);

        Assert.Equal(EncodeReference(content), output.WrittenSpan.ToArray());
        Assert.True(output.SpansRequested > 2, "the encoder should have asked for several bounded spans");
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 7)]
    [InlineData(1000, 2005)]
    public void MaxOutputLength_is_twice_the_input_plus_the_terminator(int input, int expected)
    {
        Assert.Equal(expected, DataEncoder.MaxOutputLength(input));
    }

    [Fact]
    public void MaxOutputLength_rejects_lengths_whose_bound_overflows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataEncoder.MaxOutputLength(int.MaxValue / 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataEncoder.MaxOutputLength(-1));
    }

    [Fact]
    public void Worst_case_input_reaches_but_does_not_exceed_MaxOutputLength()
    {
        // Every byte doubles when each line is a lone '.' ended by a bare LF, and the last line has no line ending.
        var content = Bytes(string.Concat(Enumerable.Repeat(".\n", 50)) + ".");

        var wire = EncodeInChunks(content, []);

        Assert.Equal(DataEncoder.MaxOutputLength(content.Length), wire.Length);
    }
}
