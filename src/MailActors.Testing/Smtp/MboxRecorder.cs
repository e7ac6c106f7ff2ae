using System.Globalization;
using System.Text;

namespace MailActors.Testing;

/// <summary>
/// Appends every accepted message to one file in mboxrd format, as Postfix <c>smtp-sink -D</c> dumps to one file: a
/// <c>From </c> separator line, <c>X-Envelope-From</c>/<c>X-Envelope-To</c> headers with the envelope, then the content
/// with <c>From </c> lines quoted (<c>&gt;From </c>, mboxrd) and LF line ends. Writes are serialised; the server's 250
/// waits for the write, so capture slows the sink down rather than buffering without bound.
/// </summary>
public sealed class MboxRecorder : IMessageInspector, IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _messages;

    /// <summary>Opens (appending to, or creating) <paramref name="path"/>.</summary>
    public MboxRecorder(string path)
    {
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
    }

    /// <summary>Messages written so far.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <inheritdoc />
    public async ValueTask InspectAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> content)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var entry = Format(envelope, content.Span);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _file.WriteAsync(entry).ConfigureAwait(false);
            Interlocked.Increment(ref _messages);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Flushes and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _file.FlushAsync().ConfigureAwait(false);
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }

    private static byte[] Format(SmtpEnvelope envelope, ReadOnlySpan<byte> content)
    {
        var sender = envelope.MailFrom.Length == 0 ? "MAILER-DAEMON" : envelope.MailFrom;
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"From {sender} {DateTime.UtcNow:ddd MMM d HH:mm:ss yyyy}\n")
            .Append(CultureInfo.InvariantCulture, $"X-Envelope-From: <{envelope.MailFrom}>\n");
        foreach (var recipient in envelope.Recipients)
        {
            head.Append(CultureInfo.InvariantCulture, $"X-Envelope-To: <{recipient.Address}>\n");
        }
        using var output = new MemoryStream(content.Length + head.Length + 64);
        output.Write(Encoding.UTF8.GetBytes(head.ToString()));
        var atLineStart = true;
        for (var i = 0; i < content.Length; i++)
        {
            var b = content[i];
            if (atLineStart && IsFromLine(content[i..]))
            {
                output.WriteByte((byte)'>');
            }
            if (b == (byte)'\r' && i + 1 < content.Length && content[i + 1] == (byte)'\n')
            {
                continue; // CRLF becomes LF in the mbox
            }
            output.WriteByte(b);
            atLineStart = b == (byte)'\n';
        }
        if (!atLineStart)
        {
            output.WriteByte((byte)'\n');
        }
        output.WriteByte((byte)'\n');
        return output.ToArray();
    }

    /// <summary>mboxrd quotes "From " preceded by any number of '&gt;'.</summary>
    private static bool IsFromLine(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (i < line.Length && line[i] == (byte)'>')
        {
            i++;
        }
        return line[i..].StartsWith("From "u8);
    }
}
