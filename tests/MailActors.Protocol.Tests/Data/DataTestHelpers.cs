using System.Buffers;
using System.Text;
using CsCheck;
using MailActors.Protocol.Smtp.Data;

namespace MailActors.Protocol.Tests.Data;

/// <summary>Generators and straightforward reference models the streaming codecs are checked against.</summary>
internal static class DataTestHelpers
{
    /// <summary>Bytes with '.', CR and LF frequent enough to make every line-start and line-ending case common.</summary>
    public static readonly Gen<byte> InterestingByte = Gen.Frequency(
        (4, Gen.Const((byte)'.')),
        (4, Gen.Const((byte)'\r')),
        (4, Gen.Const((byte)'\n')),
        (6, Gen.Byte[(byte)'a', (byte)'e']),
        (1, Gen.Byte));

    public static readonly Gen<byte[]> Content = InterestingByte.Array[0, 200];

    /// <summary>Content plus cut points that split it into chunks (some possibly empty).</summary>
    public static readonly Gen<(byte[] Content, int[] Cuts)> ContentWithCuts =
        Content.SelectMany(content => Gen.Int[0, content.Length].Array[0, 12].Select(cuts => (content, cuts)));

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static IEnumerable<ReadOnlyMemory<byte>> Split(byte[] content, int[] cuts)
    {
        int previous = 0;
        foreach (var cut in cuts.Order())
        {
            yield return content.AsMemory(previous, cut - previous);
            previous = cut;
        }

        yield return content.AsMemory(previous);
    }

    public static byte[] EncodeInChunks(byte[] content, int[] cuts)
    {
        var encoder = new DataEncoder();
        var output = new ArrayBufferWriter<byte>();
        foreach (var chunk in Split(content, cuts))
        {
            encoder.Encode(chunk.Span, output);
        }

        encoder.Complete(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reference line-ending normalisation: CRLF, bare CR and bare LF each become CRLF.</summary>
    public static byte[] NormalizeReference(byte[] content)
    {
        var result = new List<byte>(content.Length * 2);
        for (int i = 0; i < content.Length; i++)
        {
            if (content[i] == '\r')
            {
                result.Add((byte)'\r');
                result.Add((byte)'\n');
                if (i + 1 < content.Length && content[i + 1] == '\n') i++;
            }
            else if (content[i] == '\n')
            {
                result.Add((byte)'\r');
                result.Add((byte)'\n');
            }
            else
            {
                result.Add(content[i]);
            }
        }

        return [.. result];
    }

    /// <summary>Reference DATA encoding: normalise, end with CRLF, double each leading dot, append ".\r\n".</summary>
    public static byte[] EncodeReference(byte[] content)
    {
        var normalized = NormalizeReference(content);
        var body = Text(normalized);
        if (body.Length > 0 && !body.EndsWith("\r\n", StringComparison.Ordinal)) body += "\r\n";
        var lines = body.Split("\r\n");
        var builder = new StringBuilder();
        for (int i = 0; i < lines.Length - 1; i++)
        {
            builder.Append(lines[i].StartsWith('.') ? "." + lines[i] : lines[i]).Append("\r\n");
        }

        builder.Append(".\r\n");
        return Bytes(builder.ToString());
    }

    /// <summary>What the receiver should get back: the normalised content with a final CRLF when it lacked one.</summary>
    public static byte[] ExpectedBody(byte[] content)
    {
        var normalized = NormalizeReference(content);
        return normalized.Length == 0 || normalized.AsSpan().EndsWith("\r\n"u8) ? normalized : [.. normalized, (byte)'\r', (byte)'\n'];
    }

    public static void AssertNoBareLineEndings(ReadOnlySpan<byte> wire)
    {
        for (int i = 0; i < wire.Length; i++)
        {
            if (wire[i] == '\r') Assert.True(i + 1 < wire.Length && wire[i + 1] == '\n', $"bare CR at {i}");
            if (wire[i] == '\n') Assert.True(i > 0 && wire[i - 1] == '\r', $"bare LF at {i}");
        }
    }
}

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands out spans of exactly the size asked for (the least the contract allows), so
/// encoders hit the end of their destination span mid-input.
/// </summary>
internal sealed class StingyBufferWriter : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> _inner = new();

    public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

    public int SpansRequested { get; private set; }

    public void Advance(int count) => _inner.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        SpansRequested++;
        return _inner.GetMemory(sizeHint)[..Math.Max(sizeHint, 1)];
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        SpansRequested++;
        return _inner.GetSpan(sizeHint)[..Math.Max(sizeHint, 1)];
    }
}
