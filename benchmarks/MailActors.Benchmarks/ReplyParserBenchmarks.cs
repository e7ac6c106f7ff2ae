using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using MailActors.Protocol.Smtp;

namespace MailActors.Benchmarks;

/// <summary>SMTP reply parsing: a one-line "250 queued" reply and a 12-line EHLO reply.</summary>
[MemoryDiagnoser]
public class ReplyParserBenchmarks
{
    private static readonly byte[] QueuedReply = Encoding.ASCII.GetBytes("250 2.0.0 Ok: queued as 12345\r\n");

    private static readonly byte[] EhloReply = Encoding.ASCII.GetBytes(
        "250-mx.example.test Hello client.example.test [127.0.0.1]\r\n" +
        "250-SIZE 52428800\r\n" +
        "250-8BITMIME\r\n" +
        "250-PIPELINING\r\n" +
        "250-AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256\r\n" +
        "250-STARTTLS\r\n" +
        "250-ENHANCEDSTATUSCODES\r\n" +
        "250-DSN\r\n" +
        "250-SMTPUTF8\r\n" +
        "250-CHUNKING\r\n" +
        "250-BINARYMIME\r\n" +
        "250 HELP\r\n");

    private readonly SmtpReplyParser _parser = new();

    [Benchmark(Baseline = true)]
    public SmtpReply? SingleLine() => Parse(QueuedReply);

    [Benchmark]
    public SmtpReply? EhloTwelveLines() => Parse(EhloReply);

    private SmtpReply? Parse(byte[] bytes)
    {
        var sequence = new ReadOnlySequence<byte>(bytes);
        _parser.TryParse(ref sequence, out SmtpReply? reply);
        return reply;
    }
}
