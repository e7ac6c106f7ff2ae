using MailActors.Outbox.Dsn;
using MailActors.Pop3;

namespace MailActors.Outbox.Bounces;

/// <summary>Which messages the bounce-mailbox poller deletes after reading them.</summary>
public enum BounceDeletion
{
    /// <summary>Leave everything (another reader owns the mailbox).</summary>
    None,
    /// <summary>Delete the DSNs that matched an outbox message (the default: others may belong to someone else).</summary>
    Matched,
    /// <summary>Delete every DSN read, matched or not.</summary>
    AllReports,
}

/// <summary>Where the bounces arrive and how often to look.</summary>
public sealed record BounceMailboxOptions
{
    /// <summary>The POP3 server (host, port, TLS...).</summary>
    public required Pop3ClientOptions Server { get; init; }

    /// <summary>The mailbox's user name.</summary>
    public required string User { get; init; }

    /// <summary>Its password.</summary>
    public required string Password { get; init; }

    /// <summary>Time between polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>What to delete after reading.</summary>
    public BounceDeletion Delete { get; init; } = BounceDeletion.Matched;
}

/// <summary>One poll's results.</summary>
/// <param name="Messages">Messages in the mailbox.</param>
/// <param name="Reports">Of them, DSNs (multipart/report with a delivery-status part).</param>
/// <param name="Applied">What each DSN changed, in mailbox order.</param>
/// <param name="Deleted">Messages deleted.</param>
public sealed record BouncePollResult(int Messages, int Reports, IReadOnlyList<DsnApplyResult> Applied, int Deleted)
{
    /// <summary>DSNs that matched an outbox message.</summary>
    public int Matched => Applied.Count(a => a.Matched);
}

/// <summary>
/// The bounce loop: polls a bounce mailbox over POP3 (the envelope sender's, or a VERP/return-path mailbox), parses the
/// RFC 3464 DSNs it finds and applies them to the outbox (by ENVID and ORCPT). A message a relay accepted and bounced
/// later thus ends up bounced (and, for a hard failure, suppressed) instead of "delivered".
/// </summary>
public sealed class BounceMailboxPoller : IAsyncDisposable
{
    private readonly Outbox _outbox;
    private readonly BounceMailboxOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates a poller; call <see cref="Start"/> for the periodic loop or <see cref="PollOnceAsync"/> yourself.</summary>
    public BounceMailboxPoller(Outbox outbox, BounceMailboxOptions options)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The last poll's failure, if it failed (the loop keeps going).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Raised after every successful poll.</summary>
    public event Action<BouncePollResult>? Polled;

    /// <summary>Starts polling every <see cref="BounceMailboxOptions.PollInterval"/>.</summary>
    public void Start() => _loop ??= LoopAsync(_stop.Token);

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var result = await PollOnceAsync(ct).ConfigureAwait(false);
                LastError = null;
                Polled?.Invoke(result);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LastError = e;
            }
            try
            {
                await Task.Delay(_options.PollInterval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Reads the mailbox once: every DSN is applied to the outbox; deletions as configured.</summary>
    public async Task<BouncePollResult> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        var client = await Pop3Client.ConnectAsync(_options.Server, cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            await client.LoginAsync(_options.User, _options.Password, cancellationToken).ConfigureAwait(false);
            var list = await client.ListAsync(cancellationToken).ConfigureAwait(false);
            var applied = new List<DsnApplyResult>();
            var delete = new List<int>();
            var reports = 0;
            foreach (var number in list.Keys.Order())
            {
                var content = await client.GetBytesAsync(number, cancellationToken).ConfigureAwait(false);
                if (!TryParse(content, out var report))
                {
                    continue;
                }
                reports++;
                var result = await _outbox.ApplyDsnAsync(report, cancellationToken).ConfigureAwait(false);
                applied.Add(result);
                if (_options.Delete == BounceDeletion.AllReports || (_options.Delete == BounceDeletion.Matched && result.Matched))
                {
                    delete.Add(number);
                }
            }
            if (delete.Count > 0)
            {
                await client.DeleteAsync(delete, cancellationToken).ConfigureAwait(false);
            }
            await client.QuitAsync(cancellationToken).ConfigureAwait(false);
            return new BouncePollResult(list.Count, reports, applied, delete.Count);
        }
    }

    private static bool TryParse(ReadOnlyMemory<byte> content, out DeliveryStatusReport report)
    {
        try
        {
            return DsnParser.TryParse(content, out report);
        }
        catch (FormatException)
        {
            report = null!;
            return false; // not a DSN we can read: leave it for a human
        }
    }

    /// <summary>Stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
