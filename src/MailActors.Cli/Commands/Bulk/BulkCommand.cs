using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MailActors.Cli.Load;
using MailActors.Delivery;
using MailActors.Outbox;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;

namespace MailActors.Cli.Commands.Bulk;

/// <summary>
/// <c>mailactors bulk</c>: journals a whole input into a durable outbox and delivers it, with a progress bar. Run it
/// again with the same store after a crash (or Ctrl-C) and it resumes: unfinished messages are retried and the input
/// continues after the last journaled message.
/// </summary>
internal static class BulkCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var store = new Option<string>("--store") { Description = "sqlite:FILE or postgres:CONNECTION-STRING (the outbox's journal)", Required = true };
        var generate = new Option<int?>("--generate") { Description = "Send N generated messages (ids gen-0000000...)" };
        var size = new Option<int>("--size") { Description = "Size of generated messages in octets (--generate only)", DefaultValueFactory = _ => 2048 };
        var input = new Option<DirectoryInfo?>("--input") { Description = "Send every *.eml file in this directory (envelope from the headers)" };
        var csv = new Option<FileInfo?>("--csv") { Description = "One message per row; the 'email' column is the recipient (with --template)" };
        var template = new Option<FileInfo?>("--template") { Description = "RFC 5322 template; {{column}} is replaced by the row's value" };
        var from = new Option<string?>("--from") { Description = "Envelope sender (--generate and --csv; --input takes it from each message)" };
        var to = new Option<string>("--to") { Description = "Recipient of generated messages (--generate only)", DefaultValueFactory = _ => "sink@example.test" };
        var sessions = new Option<int>("--sessions") { Description = "SMTP sessions at once (at least 1)", DefaultValueFactory = _ => 20 };
        var rate = new Option<double?>("--max-rate") { Description = "Messages per second at most (more than 0)" };
        var inFlight = new Option<int?>("--in-flight") { Description = "Messages in flight (the duplicate bound after a crash; at least 1)" };
        var partitions = new Option<int?>("--partitions") { Description = "Outbox partitions (fixed when the store is created; at least 1)" };
        var maxAge = new Option<string?>("--max-age") { Description = "Bounce recipients not delivered within this time: 30m, 1h, 90s, a number of seconds (or 01:00:00)" };
        var retryBase = new Option<string?>("--retry-base-delay") { Description = "First retry delay: 500ms, 1m, a number of seconds (or 00:01:00)" };
        var maxSize = new Option<long?>("--max-message-size") { Description = "Largest message accepted, in octets (at least 1)" };
        var batch = new Option<int>("--batch") { Description = "Messages journaled per enqueue call (at least 1)", DefaultValueFactory = _ => 500 };
        var maxQueued = new Option<int>("--max-queued") { Description = "Stop reading input while this many messages are unfinished (at least 1)", DefaultValueFactory = _ => 20000 };
        var waitDeferred = new Option<bool>("--wait-deferred") { Description = "Keep running until deferred messages are delivered or expire" };
        var embedded = new Option<bool>("--embedded-sink") { Description = "Deliver to an in-process SMTP sink on 127.0.0.1 (no server needed)" };
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress bar (a summary line per second when output is redirected)" };

        var command = new Command("bulk", "Journal messages into a durable outbox and deliver them; resumes where it stopped when run again with the same store (exit 75 some messages still deferred, 27 the store could not be opened, or messages could not be journaled).");
        connection.AddTo(command);
        foreach (var option in new Option[] { store, generate, size, input, csv, template, from, to, sessions, rate, inFlight, partitions, maxAge, retryBase, maxSize, batch, maxQueued, waitDeferred, embedded, noProgress })
        {
            command.Options.Add(option);
        }
        command.Validators.Add(result =>
        {
            var inputs = (result.GetValue(generate) is not null ? 1 : 0) + (result.GetValue(input) is not null ? 1 : 0) + (result.GetValue(csv) is not null ? 1 : 0);
            if (inputs != 1)
            {
                result.AddError("Give exactly one input: --generate N, --input DIR, or --csv FILE --template FILE.eml.");
            }
            if ((result.GetValue(csv) is null) != (result.GetValue(template) is null))
            {
                result.AddError("--csv and --template go together.");
            }
            // Options that shape only some inputs' messages are refused beside the others, rather than accepted and ignored.
            if (result.GetValue(generate) is null)
            {
                foreach (var option in new Option[] { size, to }.Where(option => ConnectionOptions.Given(result, option)))
                {
                    result.AddError($"{option.Name} applies to --generate only (--input and --csv messages bring their own size and recipients).");
                }
            }
            if (result.GetValue(input) is not null && ConnectionOptions.Given(result, from))
            {
                result.AddError("--from does not apply to --input: each message's sender comes from its own headers.");
            }
            if (!result.GetValue(embedded) && result.GetValue(connection.Host) is not { Length: > 0 })
            {
                result.AddError("--host is required (or use --embedded-sink).");
            }
            connection.RefuseTargetWithEmbedded(result, embedded);
        });
        command.SetAction(async (result, ct) =>
        {
            try
            {
                // Checked before the store is touched: --sessions 0 or --max-queued 0 would wait forever, --batch -1 throw.
                var sessionCount = OptionChecks.AtLeast(result.GetValue(sessions), 1, "--sessions");
                var batchSize = OptionChecks.AtLeast(result.GetValue(batch), 1, "--batch");
                var maxQueuedCount = OptionChecks.AtLeast(result.GetValue(maxQueued), 1, "--max-queued");
                var maxRate = OptionChecks.Positive(result.GetValue(rate), "--max-rate");
                OptionChecks.AtLeast(result.GetValue(generate), 1, "--generate");
                OptionChecks.AtLeast(result.GetValue(size), 0, "--size");
                var maxAgeValue = Duration(result, maxAge);
                var retryBaseValue = Duration(result, retryBase);
                IBulkSource source = result.GetValue(generate) is { } n
                    ? new GeneratedSource(n, result.GetValue(size), result.GetValue(from) ?? "bulk@example.test", result.GetValue(to)!)
                    : result.GetValue(input) is { } dir
                        ? new EmlDirectorySource(dir)
                        : new CsvTemplateSource(result.GetValue(csv)!, result.GetValue(template)!, result.GetValue(from));
                var options = OutboxOptions.FromConfig();
                options = options with
                {
                    Partitions = OptionChecks.AtLeast(result.GetValue(partitions), 1, "--partitions") ?? options.Partitions,
                    InFlight = OptionChecks.AtLeast(result.GetValue(inFlight), 1, "--in-flight") ?? options.InFlight,
                    MaxMessageSize = OptionChecks.AtLeast(result.GetValue(maxSize), 1, "--max-message-size") ?? options.MaxMessageSize,
                    Retry = options.Retry with
                    {
                        MaxAge = maxAgeValue ?? options.Retry.MaxAge,
                        BaseDelay = retryBaseValue ?? options.Retry.BaseDelay,
                    },
                };
                var run = new BulkRun(OutboxHost.ParseStore(result.GetValue(store)!), source, options, batchSize, maxQueuedCount,
                    result.GetValue(waitDeferred), !result.GetValue(noProgress) && !Console.IsOutputRedirected);
                return await RunAsync(result, connection, run, sessionCount, maxRate, result.GetValue(embedded), ct).ConfigureAwait(false);
            }
            catch (CliUsageException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is StoreUnavailableException or NotJournaledException)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Store;
            }
        });
        return command;
    }

    /// <summary>
    /// A duration option in the syntax of the command's other durations (<c>500ms</c>, <c>90s</c>, <c>30m</c>, <c>1h</c>, a
    /// bare number of seconds), where a bare <c>30</c> is not 30 days as a <see cref="TimeSpan"/> would read it. The
    /// <c>01:00:00</c> form the earlier help showed is still read, since scripts may have copied it.
    /// </summary>
    internal static TimeSpan ParseDuration(string text, string option)
    {
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return ArgumentParsers.Duration(text, option);
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new CliUsageException($"{option}: '{text}' is not a duration (e.g. 500ms, 10s, 5m, 1h, or 01:00:00).");
    }

    private static TimeSpan? Duration(ParseResult result, Option<string?> option) =>
        result.GetValue(option) is { } text ? ParseDuration(text, option.Name) : null;

    private static async Task<int> RunAsync(ParseResult result, ConnectionOptions connection, BulkRun run, int sessions, double? rate, bool embedded, CancellationToken ct)
    {
        SmtpTestServer? sink = null;
        try
        {
            var hosts = result.GetValue(connection.Host) ?? [];
            var port = result.GetValue(connection.Port);
            var tlsMode = SmtpSessionSettings.ParseTlsMode(result.GetValue(connection.Tls)!);
            var tls = connection.TlsOptions(result);
            var user = result.GetValue(connection.User);
            var password = connection.Password(result);
            if ((user is null) != (password is null))
            {
                throw new CliUsageException("--user and --password-env go together.");
            }
            if (embedded)
            {
                (sink, tls) = await EmbeddedSmtpSink.StartAsync(tlsMode, user, password, tls, record: false, idleTimeout: null, ct).ConfigureAwait(false);
                hosts = ["127.0.0.1"];
                port = sink.Port;
                Console.WriteLine($"* embedded SMTP sink listening on 127.0.0.1:{sink.Port}");
            }
            var addresses = hosts.Select(ServerAddress.Parse).ToArray();
            var route = new RouteOptions
            {
                Name = "bulk",
                Session = new SmtpSessionSettings
                {
                    Connection = new ConnectionSpec
                    {
                        Hosts = addresses,
                        DefaultPort = port ?? (tlsMode == TlsMode.Implicit ? 465 : 25),
                        ImplicitTls = tlsMode == TlsMode.Implicit,
                        Tls = tls,
                    },
                    TlsMode = tlsMode == TlsMode.Implicit ? TlsMode.None : tlsMode,
                    HelloDomain = "mailactors.bulk",
                    CommandTimeout = TimeSpan.FromSeconds(result.GetValue(connection.Timeout)),
                    Credentials = user is null ? null : new Protocol.Sasl.SaslCredentials(user, password!),
                    AuthMechanism = result.GetValue(connection.Mechanism),
                    AllowCleartextAuthentication = result.GetValue(connection.AllowCleartextAuth),
                },
                MaxSessions = sessions,
                MaxMessageRate = rate,
                MaxMessagesPerSession = 100_000,
                QueueCapacity = Math.Max(64, sessions * 4),
                MaxAttempts = 1, // the outbox owns retries: its schedule is durable
            };
            return await run.ExecuteAsync(new MailerOptions { Routes = [route] }, ct).ConfigureAwait(false);
        }
        finally
        {
            if (sink is not null)
            {
                Console.WriteLine($"* embedded sink received {sink.MessagesReceived} message(s)");
                await sink.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>One bulk run: recover, resume the input after its journaled part, deliver, report.</summary>
internal sealed class BulkRun(OutboxStore store, IBulkSource source, OutboxOptions options, int batchSize, int maxQueued, bool waitDeferred, bool progressBar)
{
    private const int PipelineDepth = 4;

    public async Task<int> ExecuteAsync(MailerOptions mailer, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var host = await OutboxHost.StartAsync(store, options, mailer, ct).ConfigureAwait(false);
        var outbox = host.Outbox;
        var start = await outbox.GetCountsAsync(ct).ConfigureAwait(false);
        var cursor = await outbox.GetSourceCursorAsync(source.Name, ct).ConfigureAwait(false);
        Console.WriteLine($"* store {store.Describe()}: {start.MessagesUnfinished} unfinished message(s) resumed, input '{source.Name}' resumes at position {cursor.ResumeFrom}");
        using var progress = new BulkProgress(outbox, source.Count, start, progressBar);
        progress.Start();

        var journal = new BulkJournal(outbox, cursor, UnavailableRetry.Default, Console.Error);
        try
        {
            await JournalInputAsync(outbox, cursor, journal, ct).ConfigureAwait(false);
        }
        catch (NotJournaledException)
        {
            await progress.StopAsync().ConfigureAwait(false);
            throw;
        }
        progress.InputDone();
        if (journal.JournaledOnRetry > 0)
        {
            Console.WriteLine($"* {journal.JournaledOnRetry} message(s) journaled on a retry, after their outbox partition came back");
        }

        OutboxCounts counts;
        while (true)
        {
            counts = await outbox.GetCountsAsync(ct).ConfigureAwait(false);
            if (counts.Queued + counts.InFlight == 0 && (counts.Deferred == 0 || !waitDeferred))
            {
                break;
            }
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        await progress.StopAsync().ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var delivered = counts.Delivered - start.Delivered;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bulk: accepted={counts.MessagesAccepted} delivered={counts.Delivered} deferred={counts.Deferred} bounced={counts.Bounced} expired={counts.Expired} suppressed={counts.Suppressed} rejected={journal.Rejected} unfinished={counts.MessagesUnfinished} this_run_delivered={delivered} seconds={elapsed:F1} msg_per_s={delivered / Math.Max(0.001, elapsed):F0}"));
        return counts.MessagesUnfinished == 0 ? ExitCodes.Ok : ExitCodes.Deferred;
    }

    private async Task JournalInputAsync(Outbox.Outbox outbox, SourceCursor cursor, BulkJournal journal, CancellationToken ct)
    {
        var batch = new List<OutboxMessage>(batchSize);
        var writes = new Queue<Task<BulkJournal.Written>>();
        foreach (var (id, position) in source.Index())
        {
            ct.ThrowIfCancellationRequested();
            if (cursor.Contains(id, position))
            {
                continue;
            }
            var mail = await source.BuildAsync(position, ct).ConfigureAwait(false);
            batch.Add(new OutboxMessage(mail) { Source = new SourcePosition(source.Name, position) });
            if (batch.Count >= batchSize)
            {
                // Several batches in flight let the partitions' group commits grow; they are submitted in input order,
                // which keeps each partition's journaled positions in order (what the resume cursor relies on).
                writes.Enqueue(journal.WriteAsync(batch, ct));
                batch = new List<OutboxMessage>(batchSize);
                while (writes.Count >= PipelineDepth)
                {
                    await journal.SettleAsync(await writes.Dequeue().ConfigureAwait(false)).ConfigureAwait(false);
                }
                if (journal.HasUnavailable)
                {
                    // A partition is not running: no more input until its messages are journaled, and none in flight
                    // while they are retried, so that no later position of theirs is journaled behind the retry's back.
                    await SettleAllAsync(journal, writes).ConfigureAwait(false);
                    await journal.RetryUnavailableAsync(ct).ConfigureAwait(false);
                }
                while ((await outbox.GetCountsAsync(ct).ConfigureAwait(false)).MessagesUnfinished >= maxQueued)
                {
                    await Task.Delay(50, ct).ConfigureAwait(false);
                }
            }
        }
        writes.Enqueue(journal.WriteAsync(batch, ct));
        await SettleAllAsync(journal, writes).ConfigureAwait(false);
        await journal.RetryUnavailableAsync(ct).ConfigureAwait(false);
    }

    private static async Task SettleAllAsync(BulkJournal journal, Queue<Task<BulkJournal.Written>> writes)
    {
        while (writes.Count > 0)
        {
            await journal.SettleAsync(await writes.Dequeue().ConfigureAwait(false)).ConfigureAwait(false);
        }
    }
}
