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
        public Option<string> To { get; } = new("--to") { Description = "Recipient template (placeholders as --from)", DefaultValueFactory = _ => "rcpt{n}@example.test" };
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
        var command = new Command("load", "Load-test a mail server: closed or open loop, per-step latency percentiles, errors by phase and code; bounded by --messages or --duration.");
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
        });
        command.SetAction((result, ct) => RunAsync(result, options, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, Options o, CancellationToken ct)
    {
        var console = LoadConsole.Create(quiet: result.GetValue(o.Quiet));
        PreparedRun? prepared = null;
        ActorSystem? system = null;
        try
        {
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
            using var stopOnCancel = ct.Register(run.Stop);
            console.Line(prepared.Header);
            await console.FollowAsync(run).ConfigureAwait(false);
            var report = await run.Completion.ConfigureAwait(false);

            console.Summary(report);
            if (prepared.ServerNote?.Invoke() is { } note)
            {
                console.Note(note);
            }
            if (result.GetValue(o.Json) is { } json)
            {
                await File.WriteAllTextAsync(json.FullName, JsonReport.Render(report), CancellationToken.None).ConfigureAwait(false);
                console.Note($"JSON report: {json.FullName}");
            }
            if (result.GetValue(o.Html) is { } html)
            {
                await File.WriteAllTextAsync(html.FullName, HtmlReport.Render(report), CancellationToken.None).ConfigureAwait(false);
                console.Note($"HTML report: {html.FullName}");
            }
            return report.AbortReason is null || report.AbortReason == "stopped" ? ExitCodes.Ok : ExitCodes.Connect;
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
}
