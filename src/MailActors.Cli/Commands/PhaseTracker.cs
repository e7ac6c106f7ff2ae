using MailActors.Diagnostics;

namespace MailActors.Cli.Commands;

/// <summary>
/// Follows a session's transcript to tell which command a failure interrupted. A dropped connection or a timeout ends
/// the session with an exception that names no phase, and with PIPELINING several commands are on the wire at once:
/// the interrupted one is the oldest still waiting for its reply. Lines are passed on to <paramref name="inner"/>.
/// </summary>
internal sealed class PhaseTracker(ITranscript? inner) : ITranscript
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _awaiting = new();
    private string? _lastSent;

    /// <summary>The verb of the oldest command without its reply (<c>.</c> for the end of data), else the last one sent.</summary>
    public string? Interrupted
    {
        get
        {
            lock (_gate)
            {
                return _awaiting.TryPeek(out var verb) ? verb : _lastSent;
            }
        }
    }

    public void Write(TranscriptDirection direction, string line)
    {
        inner?.Write(direction, line);
        lock (_gate)
        {
            switch (direction)
            {
                // "<N octets of content>" stands for the message itself, which has no reply of its own.
                case TranscriptDirection.Client when !line.StartsWith('<'):
                    var space = line.IndexOf(' ', StringComparison.Ordinal);
                    _lastSent = (space < 0 ? line : line[..space]).ToUpperInvariant();
                    _awaiting.Enqueue(_lastSent);
                    break;
                // The last line of a reply ("250 ...", not "250-..."); the greeting finds the queue empty.
                case TranscriptDirection.Server when line.Length == 3 || (line.Length > 3 && line[3] == ' '):
                    _awaiting.TryDequeue(out _);
                    break;
            }
        }
    }
}
