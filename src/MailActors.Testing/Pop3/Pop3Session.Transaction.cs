using System.Globalization;

namespace MailActors.Testing;

/// <summary>The TRANSACTION state and UPDATE on QUIT.</summary>
internal sealed partial class Pop3Session
{
    private const int FlushThreshold = 64 * 1024;

    private Pop3Mailbox? _mailbox;
    private IReadOnlyList<Pop3StoredMessage> _view = [];
    private bool[] _deleted = [];
    private int _highestAccessed;

    private void EnterTransaction(Pop3Mailbox mailbox, IReadOnlyList<Pop3StoredMessage> view)
    {
        _mailbox = mailbox;
        _view = view;
        _deleted = new bool[view.Count];
        _highestAccessed = 0;
        _state = Pop3State.Transaction;
    }

    private void ReleaseMailbox()
    {
        _mailbox?.Unlock(this);
        _mailbox = null;
    }

    private async ValueTask TransactionCommandAsync(string verb, string argument)
    {
        switch (verb)
        {
            case "STAT":
                var live = Enumerable.Range(0, _view.Count).Where(i => !_deleted[i]).ToList();
                Ok(string.Create(CultureInfo.InvariantCulture, $"{live.Count} {live.Sum(i => _view[i].Size)}"));
                break;
            case "LIST":
                Listing(argument, message => message.Size.ToString(CultureInfo.InvariantCulture));
                break;
            case "UIDL" when _options.Uidl:
                Listing(argument, message => message.Uid);
                break;
            case "TOP" when _options.Top:
                await TopAsync(argument).ConfigureAwait(false);
                break;
            case "RETR":
                await RetrieveAsync(argument).ConfigureAwait(false);
                break;
            case "DELE":
                Delete(argument);
                break;
            case "RSET":
                Array.Clear(_deleted);
                _highestAccessed = 0;
                Ok(string.Create(CultureInfo.InvariantCulture, $"{_view.Count} messages"));
                break;
            case "NOOP":
                Ok("");
                break;
            case "LAST" when _options.Last:
                Ok(_highestAccessed.ToString(CultureInfo.InvariantCulture));
                break;
            case "CAPA":
                Capa();
                break;
            case "QUIT":
                Quit();
                break;
            case "USER" or "PASS" or "APOP" or "AUTH" or "STLS":
                Err(null, "Already logged in");
                break;
            case "UTF8" or "LANG" when ServesInternationalization(verb):
                ServeInternationalization(verb, argument);
                break;
            default:
                Err(null, "Unknown command");
                break;
        }
    }

    private void Listing(string argument, Func<Pop3StoredMessage, string> describe)
    {
        if (argument.Length > 0)
        {
            if (TryGetMessage(argument, out var index))
            {
                Ok(string.Create(CultureInfo.InvariantCulture, $"{index + 1} {describe(_view[index])}"));
            }

            return;
        }

        Ok("Listing follows");
        for (var i = 0; i < _view.Count; i++)
        {
            if (!_deleted[i])
            {
                Channel.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1} {describe(_view[i])}"));
            }
        }

        Channel.WriteLine(".");
    }

    private async ValueTask RetrieveAsync(string argument)
    {
        if (!TryGetMessage(argument, out var index))
        {
            return;
        }

        var message = _view[index];
        _highestAccessed = Math.Max(_highestAccessed, index + 1);
        Ok(string.Create(CultureInfo.InvariantCulture, $"{message.Size} octets"));
        await WriteDotStuffedAsync(message.Content, bodyLines: null).ConfigureAwait(false);
        _recorder.MessageRetrieved();
    }

    private async ValueTask TopAsync(string argument)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var lines))
        {
            Err(null, "Syntax: TOP message lines");
            return;
        }

        if (!TryGetMessage(parts[0], out var index))
        {
            return;
        }

        _highestAccessed = Math.Max(_highestAccessed, index + 1);
        Ok("Top of message follows");
        await WriteDotStuffedAsync(_view[index].Content, lines).ConfigureAwait(false);
    }

    private void Delete(string argument)
    {
        if (TryGetMessage(argument, out var index))
        {
            _deleted[index] = true;
            _highestAccessed = Math.Max(_highestAccessed, index + 1);
            Ok("Marked to be deleted.");
        }
    }

    private void Quit()
    {
        _state = Pop3State.Update;
        var deleted = _view.Where((_, i) => _deleted[i]).ToList();
        var removed = _mailbox?.Commit(this, deleted) ?? 0;
        _recorder.DeletionsCommittedBy(removed);
        ReleaseMailbox();
        Ok(removed > 0 ? string.Create(CultureInfo.InvariantCulture, $"Logging out, {removed} messages deleted.") : "Logging out.");
        CloseRequested = true;
    }

    /// <summary>Resolves a message number, answering -ERR itself when it is invalid or deleted.</summary>
    private bool TryGetMessage(string argument, out int index)
    {
        index = -1;
        if (!int.TryParse(argument.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > _view.Count)
        {
            Err(null, "No such message");
            return false;
        }

        if (_deleted[number - 1])
        {
            Err(null, "Message is deleted");
            return false;
        }

        index = number - 1;
        return true;
    }

    /// <summary>Writes a multi-line body: lines starting with "." get another; with <paramref name="bodyLines"/>, only the headers and that many body lines.</summary>
    private async ValueTask WriteDotStuffedAsync(ReadOnlyMemory<byte> content, int? bodyLines)
    {
        var remaining = content;
        var inBody = false;
        var bodyLinesWritten = 0;
        var endedWithNewline = true;
        while (!remaining.IsEmpty)
        {
            if (inBody && bodyLines is { } limit && bodyLinesWritten >= limit)
            {
                break;
            }

            var span = remaining.Span;
            var newline = span.IndexOf((byte)'\n');
            var length = newline < 0 ? span.Length : newline + 1;
            var line = span[..length];
            if (line[0] == (byte)'.')
            {
                Channel.Write("."u8);
            }

            Channel.Write(line);
            endedWithNewline = newline >= 0;
            if (inBody)
            {
                bodyLinesWritten++;
            }
            else if (line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8))
            {
                inBody = true;
            }

            remaining = remaining[length..];
            if (Channel.PendingOutput > FlushThreshold)
            {
                await Channel.FlushAsync().ConfigureAwait(false);
            }
        }

        if (!endedWithNewline)
        {
            Channel.Write("\r\n"u8);
        }

        Channel.Write(".\r\n"u8);
    }
}
