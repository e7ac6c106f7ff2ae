namespace MailActors.Diagnostics;

/// <summary>Writes <c>C: </c>/<c>S: </c>/<c>* </c> lines to a <see cref="TextWriter"/>, optionally timestamped.</summary>
public sealed class TextWriterTranscript : ITranscript
{
    private readonly TextWriter _writer;
    private readonly bool _timestamps;
    private readonly string? _sessionTag;
    private readonly Lock _gate = new();

    /// <summary>Creates a transcript writer.</summary>
    /// <param name="writer">Where lines go (for example <see cref="Console.Error"/>).</param>
    /// <param name="timestamps">Prefix each line with the UTC time of day.</param>
    /// <param name="sessionTag">Optional tag (such as a session id) put in front of every line.</param>
    public TextWriterTranscript(TextWriter writer, bool timestamps = false, string? sessionTag = null)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _timestamps = timestamps;
        _sessionTag = sessionTag;
    }

    /// <inheritdoc />
    public void Write(TranscriptDirection direction, string line)
    {
        var prefix = direction switch
        {
            TranscriptDirection.Client => "C: ",
            TranscriptDirection.Server => "S: ",
            _ => "* ",
        };
        var stamp = _timestamps ? DateTime.UtcNow.ToString("HH:mm:ss.fff ", System.Globalization.CultureInfo.InvariantCulture) : "";
        var tag = _sessionTag is null ? "" : "[" + _sessionTag + "] ";
        lock (_gate)
        {
            _writer.WriteLine(stamp + tag + prefix + line);
        }
    }
}
