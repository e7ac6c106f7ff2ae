using System.Buffers;
using System.Text;
using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

/// <summary>Drives an <see cref="SmtpReplyParser"/> the way a transport does: bytes arrive in chunks, leftovers stay.</summary>
internal static class ReplyFeeder
{
    public static byte[] Bytes(string wire) => Encoding.UTF8.GetBytes(wire);

    /// <summary>Parses everything in one contiguous buffer; returns the replies and the unconsumed remainder.</summary>
    public static (List<SmtpReply> Replies, byte[] Unconsumed) ParseAll(byte[] wire, SmtpReplyParserOptions? options = null)
    {
        var parser = new SmtpReplyParser(options);
        var buffer = new ReadOnlySequence<byte>(wire);
        var replies = Drain(parser, ref buffer);
        return (replies, buffer.ToArray());
    }

    public static List<SmtpReply> ParseAll(string wire, SmtpReplyParserOptions? options = null) =>
        ParseAll(Bytes(wire), options).Replies;

    /// <summary>Feeds the chunks one after another, keeping unconsumed bytes, as a receive loop would.</summary>
    public static List<SmtpReply> Feed(IEnumerable<byte[]> chunks, SmtpReplyParserOptions? options = null)
    {
        var parser = new SmtpReplyParser(options);
        var pending = Array.Empty<byte>();
        var replies = new List<SmtpReply>();
        foreach (var chunk in chunks)
        {
            var buffer = new ReadOnlySequence<byte>([.. pending, .. chunk]);
            replies.AddRange(Drain(parser, ref buffer));
            pending = buffer.ToArray();
        }

        Assert.Empty(pending);
        Assert.False(parser.HasPartialReply);
        return replies;
    }

    /// <summary>Parses one buffer made of several non-contiguous segments (lines straddle segment edges).</summary>
    public static List<SmtpReply> ParseSegmented(params byte[][] segments)
    {
        var parser = new SmtpReplyParser();
        var buffer = Segment.Create(segments);
        var replies = Drain(parser, ref buffer);
        Assert.Equal(0, buffer.Length);
        return replies;
    }

    private static List<SmtpReply> Drain(SmtpReplyParser parser, ref ReadOnlySequence<byte> buffer)
    {
        var replies = new List<SmtpReply>();
        while (parser.TryParse(ref buffer, out var reply))
        {
            Assert.NotNull(reply);
            replies.Add(reply);
        }

        return replies;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Create(byte[][] parts)
        {
            if (parts.Length == 0)
            {
                return ReadOnlySequence<byte>.Empty;
            }

            var first = new Segment(parts[0], 0);
            var last = first;
            foreach (var part in parts.Skip(1))
            {
                var next = new Segment(part, last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
