using System.Collections.Concurrent;

namespace MailActors.Diagnostics;

/// <summary>Keeps transcript lines in memory, in order; handy for tests and for attaching a transcript to an error report.</summary>
public sealed class CollectingTranscript : ITranscript
{
    private readonly ConcurrentQueue<(TranscriptDirection Direction, string Line)> _lines = new();

    /// <summary>The lines so far.</summary>
    public IReadOnlyList<(TranscriptDirection Direction, string Line)> Lines => _lines.ToArray();

    /// <summary>The lines formatted as <c>C: </c>/<c>S: </c>/<c>* </c> text.</summary>
    public override string ToString()
    {
        var writer = new StringWriter();
        var formatter = new TextWriterTranscript(writer);
        foreach (var (direction, line) in _lines)
        {
            formatter.Write(direction, line);
        }
        return writer.ToString();
    }

    /// <inheritdoc />
    public void Write(TranscriptDirection direction, string line) => _lines.Enqueue((direction, line));
}
