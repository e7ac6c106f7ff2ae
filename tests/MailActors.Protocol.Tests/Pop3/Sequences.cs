using System.Buffers;
using System.Text;

namespace MailActors.Protocol.Tests.Pop3;

/// <summary>Builds multi-segment byte sequences and plays chunked input the way a pipe reader delivers it.</summary>
internal static class Sequences
{
    public delegate bool Step(ref ReadOnlySequence<byte> buffer);

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>A sequence with one segment per part, so code under test sees real segment boundaries.</summary>
    public static ReadOnlySequence<byte> Of(params byte[][] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(parts[0], 0);
        var last = first;
        for (int i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="data"/> at the given offsets (sorted, clamped, duplicates allowed).</summary>
    public static byte[][] SplitAt(byte[] data, IEnumerable<int> cuts)
    {
        var points = cuts.Select(c => Math.Clamp(c, 0, data.Length)).Order().ToList();
        var chunks = new List<byte[]>();
        int start = 0;
        foreach (int point in points)
        {
            chunks.Add(data[start..point]);
            start = point;
        }

        chunks.Add(data[start..]);
        return [.. chunks];
    }

    /// <summary>Every way of cutting <paramref name="data"/> into three pieces (two cuts, possibly equal).</summary>
    public static IEnumerable<byte[][]> AllTwoCutSplits(byte[] data)
    {
        for (int i = 0; i <= data.Length; i++)
        {
            for (int j = i; j <= data.Length; j++)
            {
                yield return SplitAt(data, [i, j]);
            }
        }
    }

    /// <summary>
    /// Delivers chunks one at a time; unconsumed bytes stay in the buffer with the next chunk appended as a new segment.
    /// Returns whether the step reported completion and every byte left after it (rest of the buffer plus unread chunks).
    /// </summary>
    public static (bool Done, byte[] Remainder) Feed(IEnumerable<byte[]> chunks, Step step)
    {
        byte[] pending = [];
        using var enumerator = chunks.GetEnumerator();
        while (enumerator.MoveNext())
        {
            var buffer = Of(pending, enumerator.Current);
            bool done = step(ref buffer);
            pending = buffer.ToArray();
            if (done)
            {
                var rest = new List<byte>(pending);
                while (enumerator.MoveNext())
                {
                    rest.AddRange(enumerator.Current);
                }

                return (true, [.. rest]);
            }
        }

        return (false, pending);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
