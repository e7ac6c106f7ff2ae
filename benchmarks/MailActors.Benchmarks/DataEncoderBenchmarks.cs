using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using MailActors.Protocol.Smtp.Data;

namespace MailActors.Benchmarks;

/// <summary>Line endings of the generated message: already CRLF (the common case) or bare LF (every line rewritten).</summary>
public enum LineEndingStyle
{
    CrLf,
    Lf,
}

/// <summary>
/// DATA encoding (normalise + dot-stuff + terminator) and its inverse on a text message of <see cref="Size"/> bytes, written
/// into a reused <see cref="ArrayBufferWriter{T}"/>. The MB/s column counts message bytes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class DataEncoderBenchmarks
{
    private readonly DataEncoder _encoder = new();
    private readonly DotUnstuffer _unstuffer = new();
    private byte[] _content = [];
    private byte[] _wire = [];
    private ArrayBufferWriter<byte> _output = new();

    [Params(2 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [Params(LineEndingStyle.CrLf, LineEndingStyle.Lf)]
    public LineEndingStyle LineEndings { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _content = MessageFactory.TextMessage(Size, LineEndings == LineEndingStyle.CrLf ? "\r\n" : "\n");
        _output = new ArrayBufferWriter<byte>(DataEncoder.MaxOutputLength(_content.Length));
        Encode();
        _wire = _output.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int Encode()
    {
        _output.ResetWrittenCount();
        _encoder.Reset();
        _encoder.Encode(_content, _output);
        _encoder.Complete(_output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Unstuff()
    {
        _output.ResetWrittenCount();
        _unstuffer.Reset();
        _unstuffer.Decode(_wire, _output, out _);
        return _output.WrittenCount;
    }
}

/// <summary>Deterministic plain-text messages: headers, then 72-column body lines, about one in forty starting with '.'.</summary>
internal static class MessageFactory
{
    public static byte[] TextMessage(int size, string lineEnding)
    {
        var builder = new StringBuilder(size + 128);
        builder.Append("From: sender@example.test").Append(lineEnding)
            .Append("To: rcpt@example.test").Append(lineEnding)
            .Append("Subject: benchmark message").Append(lineEnding)
            .Append("Message-ID: <bench@example.test>").Append(lineEnding)
            .Append(lineEnding);
        const string words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore ";
        int line = 0;
        while (builder.Length < size)
        {
            if (line % 40 == 39) builder.Append('.');
            int offset = (line * 7) % 24;
            builder.Append(words, offset, 72 - (line % 3)).Append(lineEnding);
            line++;
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, size));
    }
}
