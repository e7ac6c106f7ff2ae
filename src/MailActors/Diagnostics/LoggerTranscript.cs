using Microsoft.Extensions.Logging;

namespace MailActors.Diagnostics;

/// <summary>Sends transcript lines to an <see cref="ILogger"/> at Debug level, one structured entry per line.</summary>
public sealed class LoggerTranscript : ITranscript
{
    private static readonly Action<ILogger, string, string, Exception?> LogLine =
        LoggerMessage.Define<string, string>(LogLevel.Debug, new EventId(1, "Transcript"), "{Direction} {Line}");

    private readonly ILogger _logger;

    /// <summary>Creates a transcript over <paramref name="logger"/>.</summary>
    public LoggerTranscript(ILogger logger) => _logger = logger ?? throw new ArgumentNullException(nameof(logger));

    /// <inheritdoc />
    public void Write(TranscriptDirection direction, string line)
    {
        var who = direction switch
        {
            TranscriptDirection.Client => "C:",
            TranscriptDirection.Server => "S:",
            _ => "*",
        };
        LogLine(_logger, who, line, null);
    }
}
