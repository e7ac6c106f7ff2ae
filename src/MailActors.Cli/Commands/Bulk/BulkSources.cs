using System.Globalization;
using System.Text;
using MailActors.Delivery;
using MailActors.Outbox;
using MailActors.Smtp;
using MimeKit;

namespace MailActors.Cli.Commands.Bulk;

/// <summary>An input of the bulk command: messages in a fixed order, each with its position, so a rerun can resume.</summary>
internal interface IBulkSource
{
    /// <summary>Names the input; the store remembers how far each name was journaled.</summary>
    string Name { get; }

    /// <summary>How many messages, when known up front (for the progress bar).</summary>
    long? Count { get; }

    /// <summary>Message ids and positions without building the messages, so a resumed run skips cheaply.</summary>
    IEnumerable<(string Id, long Position)> Index();

    /// <summary>The message at <paramref name="position"/> (as listed by <see cref="Index"/>).</summary>
    Task<OutgoingMail> BuildAsync(long position, CancellationToken cancellationToken);
}

/// <summary><c>--generate N --size B</c>: N synthetic messages of about B octets, ids <c>gen-0000000</c>...</summary>
internal sealed class GeneratedSource(int count, int size, string from, string to) : IBulkSource
{
    private static readonly string Line = new string('x', 76) + "\r\n";

    public string Name => "generate";

    public long? Count => count;

    public static string IdOf(long position) => "gen-" + position.ToString("D7", CultureInfo.InvariantCulture);

    public IEnumerable<(string Id, long Position)> Index()
    {
        for (long i = 0; i < count; i++)
        {
            yield return (IdOf(i), i);
        }
    }

    public Task<OutgoingMail> BuildAsync(long position, CancellationToken cancellationToken)
    {
        var id = IdOf(position);
        var text = new StringBuilder(size + 128);
        text.Append("From: <").Append(from).Append(">\r\nTo: <").Append(to).Append(">\r\nSubject: bulk ").Append(id)
            .Append("\r\nMessage-ID: <").Append(id).Append("@mailactors.bulk>\r\n\r\n");
        while (text.Length < size)
        {
            text.Append(Line);
        }
        return Task.FromResult(new OutgoingMail(from, [to], MessageContent.FromBytes(Encoding.ASCII.GetBytes(text.ToString()))) { MessageId = id });
    }
}

/// <summary><c>--input DIR</c>: every <c>*.eml</c> file, in ordinal name order; envelope from the headers.</summary>
internal sealed class EmlDirectorySource : IBulkSource
{
    private readonly string[] _files;

    public EmlDirectorySource(DirectoryInfo directory)
    {
        if (!directory.Exists)
        {
            throw new CliUsageException($"--input: {directory.FullName} does not exist.");
        }
        _files = directory.GetFiles("*.eml").Select(f => f.FullName).Order(StringComparer.Ordinal).ToArray();
        Name = "input:" + directory.FullName;
    }

    public string Name { get; }

    public long? Count => _files.Length;

    public IEnumerable<(string Id, long Position)> Index() => _files.Select((f, i) => (IdOf(f), (long)i));

    /// <summary>The file name is the id, so the same directory maps to the same ids on every run.</summary>
    private static string IdOf(string file) => "eml-" + Path.GetFileNameWithoutExtension(file);

    public async Task<OutgoingMail> BuildAsync(long position, CancellationToken cancellationToken)
    {
        var file = _files[position];
        var message = await MimeMessage.LoadAsync(file, cancellationToken).ConfigureAwait(false);
        return OutgoingMail.FromMimeMessage(message) with { MessageId = IdOf(file) };
    }
}

/// <summary>
/// <c>--csv FILE --template FILE.eml</c>: one message per CSV row (after the header row); <c>{{column}}</c> in the
/// template is replaced by the row's value; the recipient is the <c>email</c> (or <c>to</c>) column.
/// </summary>
internal sealed class CsvTemplateSource : IBulkSource
{
    private readonly string[] _header;
    private readonly List<string[]> _rows;
    private readonly string _template;
    private readonly int _recipientColumn;
    private readonly string? _from;

    public CsvTemplateSource(FileInfo csv, FileInfo template, string? from)
    {
        if (!csv.Exists)
        {
            throw new CliUsageException($"--csv: {csv.FullName} does not exist.");
        }
        if (!template.Exists)
        {
            throw new CliUsageException($"--template: {template.FullName} does not exist.");
        }
        var lines = File.ReadAllLines(csv.FullName).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            throw new CliUsageException("--csv: the file has no header row.");
        }
        _header = Csv.Split(lines[0]).Select(h => h.Trim()).ToArray();
        _recipientColumn = Array.FindIndex(_header, h => h.Equals("email", StringComparison.OrdinalIgnoreCase) || h.Equals("to", StringComparison.OrdinalIgnoreCase));
        if (_recipientColumn < 0)
        {
            throw new CliUsageException("--csv: the header row needs an 'email' (or 'to') column.");
        }
        _rows = lines.Skip(1).Select(Csv.Split).ToList();
        _template = File.ReadAllText(template.FullName);
        _from = from;
        Name = "csv:" + csv.FullName + "|" + template.FullName;
    }

    public string Name { get; }

    public long? Count => _rows.Count;

    public IEnumerable<(string Id, long Position)> Index() => _rows.Select((_, i) => (IdOf(i), (long)i));

    private string IdOf(long position) => "csv-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Name)))[..12].ToLowerInvariant()
        + "-" + position.ToString("D7", CultureInfo.InvariantCulture);

    public Task<OutgoingMail> BuildAsync(long position, CancellationToken cancellationToken)
    {
        var row = _rows[(int)position];
        var text = _template;
        for (var c = 0; c < _header.Length; c++)
        {
            text = text.Replace("{{" + _header[c] + "}}", c < row.Length ? row[c] : "", StringComparison.OrdinalIgnoreCase);
        }
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var message = MimeMessage.Load(stream);
        var recipient = row.Length > _recipientColumn ? row[_recipientColumn].Trim() : "";
        var sender = _from ?? message.From.Mailboxes.FirstOrDefault()?.Address
            ?? throw new CliUsageException("--template has no From header; give --from.");
        var id = IdOf(position);
        message.MessageId ??= id + "@mailactors.bulk";
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.HiddenHeaders.Add(HeaderId.Bcc);
        using var buffer = new MemoryStream();
        message.WriteTo(format, buffer, cancellationToken);
        return Task.FromResult(new OutgoingMail(sender, [recipient], MessageContent.FromBytes(buffer.ToArray())) { MessageId = id });
    }
}

/// <summary>Minimal RFC 4180 field splitting: commas, double-quoted fields with doubled quotes inside.</summary>
internal static class Csv
{
    public static string[] Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
