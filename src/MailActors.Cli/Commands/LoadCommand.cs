using System.CommandLine;
using Akka.Actor;
using MailActors.Cli.Load;
using MailActors.Configuration;
using MailActors.Load;
using MailActors.Protocol.Sasl;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;

namespace MailActors.Cli.Commands;

/// <summary>
/// <c>mailactors load</c>: an SMTP (or POP3) load run — closed or open loop, bounded by a message count or a
/// duration — with live progress, a summary table, and JSON/HTML reports.
/// </summary>
internal static class LoadCommand
{
    /// <summary>
    /// How long sessions may finish what they hold after Ctrl-C or SIGTERM before they are cut off. Well inside the
    /// process termination timeout (Program.cs), which would otherwise kill the process before it prints the report:
    /// the run's own drain time (30 s, for a server catching up after the bound) is as long as that timeout.
    /// </summary>
    internal static readonly TimeSpan StopDrain = TimeSpan.FromSeconds(5);

    /// <summary>The exit codes of <c>load</c>, for the help and the README.</summary>
    internal const string ExitCodesHelp = "Exit codes: 0 the run reached its bound or was stopped (Ctrl-C, SIGTERM); 1 usage; "
        + "2 gave up after connections (pop3: logins) failed in a row; 3 pop3: a message read back had a changed body (outranks 2 and 5); "
        + "4 open loop fell behind its schedule; "
        + "5 pop3: mailboxes found empty in a row; 27 a --json/--html report could not be written.";

    internal sealed class Options
    {
        public ConnectionOptions Connection { get; } = new();
        public Option<string> Protocol { get; } = new("--protocol") { Description = "smtp (send) or pop3 (log in, LIST/UIDL, RETR, optionally DELE)", DefaultValueFactory = _ => "smtp" };
        public Option<int> Sessions { get; } = new("--sessions", "-s") { Description = "Concurrent sessions (connections)", DefaultValueFactory = _ => 10 };
        public Option<long?> Messages { get; } = new("--messages", "-m") { Description = "Messages to send in all (a bound: this or --duration is required)" };
        public Option<string?> Duration { get; } = new("--duration", "-d") { Description = "How long to run: 500ms, 10s, 5m, 1h (a bound)" };
        public Option<double?> Rate { get; } = new("--rate") { Description = "Open loop: messages per second on a fixed schedule; latency counts from each scheduled time" };
        public Option<string> Size { get; } = new("--size") { Description = "Body size: 2048, 2k, 1m, or a mix 1k:60,10k:30,1m:10", DefaultValueFactory = _ => "2k" };
        public Option<int> Recipients { get; } = new("--recipients") { Description = "Recipients per message", DefaultValueFactory = _ => 1 };
        public Option<string> From { get; } = new("--from") { Description = "Sender template; {n} message, {s} session, {r} recipient, {n%K} modulo", DefaultValueFactory = _ => "load{s}@example.test" };
        public Option<string?> To { get; } = new("--to") { Description = "Recipient template (placeholders as --from); default rcpt{n}@example.test, or rcpt{n}.{r}@example.test with several --recipients (a --to given then needs {r})" };
        public Option<string> Hello { get; } = new("--hello") { Description = "EHLO domain", DefaultValueFactory = _ => "load.mailactors.test" };
        public Option<string> Pipelining { get; } = new("--pipelining") { Description = "on | off: PIPELINING when the server offers it", DefaultValueFactory = _ => "on" };
        public Option<string> Chunking { get; } = new("--chunking") { Description = "on | off: BDAT when the server offers CHUNKING", DefaultValueFactory = _ => "off" };
        public Option<int> MessagesPerConnection { get; } = new("--messages-per-connection") { Description = "QUIT and reconnect after K messages (1 = a connection per message); 0 = no limit", DefaultValueFactory = _ => 0 };
        public Option<double?> ConnectRate { get; } = new("--connect-rate") { Description = "New connections per second at most" };
        public Option<bool> Hold { get; } = new("--hold") { Description = "Connect and greet, then stay idle until --duration ends (concurrent-session test)" };
        public Option<bool> Delete { get; } = new("--delete") { Description = "pop3: DELE each retrieved message" };
        public Option<string> Login { get; } = new("--login") { Description = "pop3: user-pass | apop | sasl", DefaultValueFactory = _ => "user-pass" };
        public Option<FileInfo?> Json { get; } = new("--json") { Description = "Write the report as JSON to FILE" };
        public Option<FileInfo?> Html { get; } = new("--html") { Description = "Write a self-contained HTML report with charts to FILE" };
        public Option<bool> Embedded { get; } = new("--embedded-sink") { Description = "Start an in-process server on 127.0.0.1 and load it (an SMTP sink; for pop3, mailboxes filled with load messages)" };
        public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No live progress" };

        public void AddTo(Command command)
        {
            Connection.AddTo(command);
            foreach (var option in new Option[] { Protocol, Sessions, Messages, Duration, Rate, Size, Recipients, From, To, Hello, Pipelining, Chunking,
                         MessagesPerConnection, ConnectRate, Hold, Delete, Login, Json, Html, Embedded, Quiet })
            {
                command.Options.Add(option);
            }
        }
    }

    public static Command Create()
    {
        var options = new Options();
        var command = new Command("load", "Load-test a mail server: closed or open loop, per-step latency percentiles, errors by phase and code; bounded by --messages or --duration. "
            + ExitCodesHelp);
        options.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(options.Messages) is null && result.GetValue(options.Duration) is null)
            {
                result.AddError("A load run needs a bound: --messages N or --duration T.");
            }
            if (!result.GetValue(options.Embedded) && result.GetValue(options.Connection.Host) is not { Length: > 0 })
            {
                result.AddError("--host is required (or use --embedded-sink).");
            }
            options.Connection.RefuseTargetWithEmbedded(result, options.Embedded);
            // Every option of the other protocol is refused here, in one table, rather than accepted and doing nothing.
            var pop3 = string.Equals(result.GetValue(options.Protocol), "pop3", StringComparison.OrdinalIgnoreCase);
            Option[] notForThisProtocol = pop3
                ? [options.Rate, options.Hold, options.Recipients, options.From, options.To, options.Hello, options.Pipelining, options.Chunking,
                   .. result.GetValue(options.Embedded) ? Array.Empty<Option>() : [options.Size]]
                : [options.Delete, options.Login];
            foreach (var option in notForThisProtocol.Where(option => ConnectionOptions.Given(result, option)))
            {
                result.AddError(!pop3 ? $"{option.Name} is for --protocol pop3."
                    : option == options.Size ? $"{option.Name} does not apply to --protocol pop3 (it sizes the messages --embedded-sink puts in the mailboxes)."
                    : $"{option.Name} does not apply to --protocol pop3; it is for --protocol smtp.");
            }
            if (!pop3 && result.GetValue(options.Hold) && result.GetValue(options.Rate) is not null)
            {
                result.AddError("--rate and --hold cannot go together: hold mode sends no mail.");
            }
            if (!pop3 && result.GetValue(options.To) is { } to && SameAddressForSeveralRecipients(to, result.GetValue(options.Recipients)) is { } refusal)
            {
                result.AddError(refusal);
            }
        });
        command.SetAction((result, ct) => RunAsync(result, options, ct));
        return command;
    }

    /// <summary>
    /// Why <paramref name="to"/> cannot go with <paramref name="recipients"/> per message, or null: without <c>{r}</c>
    /// every RCPT of a transaction would name the same address. A malformed template passes here; its parser names it later.
    /// </summary>
    private static string? SameAddressForSeveralRecipients(string to, int recipients)
    {
        try
        {
            if (AddressTemplate.Parse(to).GivesEachRecipientItsOwnAddress(recipients))
            {
                return null;
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
        var modulo = to.Contains("{r%", StringComparison.Ordinal) ? FormattableString.Invariant($" (not {{r%K}} with K below {recipients})") : "";
        return FormattableString.Invariant($"--to '{to}' gives several of the {recipients} recipients of a message (--recipients {recipients}) the same address: ")
            + $"put {{r}} in --to{modulo}, e.g. 'rcpt{{n}}.{{r}}@example.test', or leave --to out.";
    }

    private static async Task<int> RunAsync(ParseResult result, Options o, CancellationToken ct)
    {
        var console = LoadConsole.Create(quiet: result.GetValue(o.Quiet));
        PreparedRun? prepared = null;
        ActorSystem? system = null;
        try
        {
            // Checked before the run, so a mistyped path costs nothing rather than the report of a long run.
            var json = ReportPath(result.GetValue(o.Json), "--json");
            var html = ReportPath(result.GetValue(o.Html), "--html");
            var protocol = result.GetValue(o.Protocol)!.Trim().ToLowerInvariant();
            prepared = protocol switch
            {
                "smtp" => await SmtpLoadSetup.PrepareAsync(result, o, console, ct).ConfigureAwait(false),
                "pop3" => await Pop3LoadSetup.PrepareAsync(result, o, console, ct).ConfigureAwait(false),
                _ => throw new CliUsageException($"--protocol: '{protocol}' is not smtp or pop3."),
            };
            system = ActorSystem.Create("mailactors-load", MailActorsConfig.WithOverrides("""
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                """));
            var run = prepared.Start(system);
            using var stopOnCancel = ct.Register(() => run.Stop(StopDrain));
            console.Line(prepared.Header);
            await console.FollowAsync(run).ConfigureAwait(false);
            var report = await run.Completion.ConfigureAwait(false);

            console.Summary(report);
            if (prepared.ServerNote?.Invoke() is { } note)
            {
                console.Note(note);
            }
            // Each file on its own: one that cannot be written must not cost the other.
            var written = true;
            if (json is not null)
            {
                written &= await WriteReportAsync(console, "JSON", json, () => JsonReport.Render(report)).ConfigureAwait(false);
            }
            if (html is not null)
            {
                written &= await WriteReportAsync(console, "HTML", html, () => HtmlReport.Render(report)).ConfigureAwait(false);
            }
            var verdict = ExitCodeOf(report);
            return verdict == ExitCodes.Ok && !written ? ExitCodes.Store : verdict;
        }
        catch (Exception e) when (e is CliUsageException or FormatException or ArgumentException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        finally
        {
            if (system is not null)
            {
                await system.Terminate().ConfigureAwait(false);
            }
            if (prepared?.Server is { } server)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The run's outcome as an exit code: how it ended, not what it measured (failed messages are the server's answer).</summary>
    /// <remarks>A changed body (POP3 readers check every digest) comes first, as in <c>mailactors sink --verify</c>: the
    /// server lost data, which a script must not read as a run that merely ended early.</remarks>
    internal static int ExitCodeOf(LoadReport report) => report.Integrity is { Mismatch: > 0 } ? ExitCodes.IntegrityFailure : report.AbortKind switch
    {
        null or LoadAbortKind.Stopped => ExitCodes.Ok,
        LoadAbortKind.FellBehindSchedule => ExitCodes.FellBehind,
        LoadAbortKind.NothingToRetrieve => ExitCodes.NothingToRetrieve,
        _ => ExitCodes.Connect,
    };

    /// <summary>The full path of a report file, refused up front when its directory does not exist or it is a directory.</summary>
    private static string? ReportPath(FileInfo? file, string option)
    {
        if (file is null)
        {
            return null;
        }
        if (Directory.Exists(file.FullName))
        {
            throw new CliUsageException($"{option}: '{file.FullName}' is a directory; give a file name.");
        }
        if (file.Directory is not { Exists: true } directory)
        {
            throw new CliUsageException($"{option}: the directory '{file.DirectoryName}' does not exist.");
        }
        return Path.Combine(directory.FullName, file.Name);
    }

    private static async Task<bool> WriteReportAsync(LoadConsole console, string kind, string path, Func<string> render)
    {
        try
        {
            await File.WriteAllTextAsync(path, render(), CancellationToken.None).ConfigureAwait(false);
            console.Note($"{kind} report: {path}");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: the {kind} report could not be written to {path}: {e.Message}").ConfigureAwait(false);
            return false;
        }
    }
}
