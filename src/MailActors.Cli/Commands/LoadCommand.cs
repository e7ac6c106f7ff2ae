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
    private sealed class Options
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
        public Option<FileInfo?> Json { get; } = new("--json") { Description = "Write the report as JSON to FILE" };
        public Option<FileInfo?> Html { get; } = new("--html") { Description = "Write a self-contained HTML report with charts to FILE" };
        public Option<bool> Embedded { get; } = new("--embedded-sink") { Description = "Start an in-process SMTP sink on 127.0.0.1 and load it (no server needed)" };
        public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No live progress" };

        public void AddTo(Command command)
        {
            Connection.AddTo(command);
            foreach (var option in new Option[] { Protocol, Sessions, Messages, Duration, Rate, Size, Recipients, From, To, Hello, Pipelining, Chunking,
                         MessagesPerConnection, ConnectRate, Hold, Delete, Json, Html, Embedded, Quiet })
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
        });
        command.SetAction((result, ct) => RunAsync(result, options, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, Options o, CancellationToken ct)
    {
        var console = LoadConsole.Create(quiet: result.GetValue(o.Quiet));
        SmtpTestServer? sink = null;
        ActorSystem? system = null;
        try
        {
            var protocol = result.GetValue(o.Protocol)!.Trim().ToLowerInvariant();
            if (protocol is not ("smtp" or "pop3"))
            {
                throw new CliUsageException($"--protocol: '{protocol}' is not smtp or pop3.");
            }
            if (protocol == "pop3")
            {
                throw new CliUsageException("--protocol pop3 is not available in this build: the POP3 session engine has not landed yet.");
            }
            var tlsMode = SmtpSessionSettings.ParseTlsMode(result.GetValue(o.Connection.Tls)!);
            var hosts = result.GetValue(o.Connection.Host) ?? [];
            var port = result.GetValue(o.Connection.Port);
            var tls = o.Connection.TlsOptions(result);
            var user = result.GetValue(o.Connection.User);
            var password = o.Connection.Password(result);
            if ((user is null) != (password is null))
            {
                throw new CliUsageException("--user and --password-env go together.");
            }
            if (result.GetValue(o.Embedded))
            {
                sink = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
                {
                    Record = false,
                    StartTls = tlsMode is TlsMode.StartTls or TlsMode.StartTlsWhenAvailable,
                    ImplicitTls = tlsMode == TlsMode.Implicit,
                    AuthMechanisms = user is null ? [] : ["PLAIN", "LOGIN"],
                    Users = user is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [user] = password! },
                    IdleTimeout = TimeSpan.FromHours(1),
                }, ct).ConfigureAwait(false);
                hosts = ["127.0.0.1"];
                port = sink.Port;
                tls = tls with { TrustedCertificates = [sink.Certificate], TargetHost = "localhost" };
                console.Note($"embedded SMTP sink listening on 127.0.0.1:{sink.Port}");
            }
            var loadOptions = BuildOptions(result, o, hosts, port, tlsMode, tls, user, password, console);
            loadOptions.Validate();

            system = ActorSystem.Create("mailactors-load", MailActorsConfig.WithOverrides("""
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                """));
            var run = LoadRun.Start(system, loadOptions);
            using var stopOnCancel = ct.Register(run.Stop);
            console.Header(loadOptions);
            await console.FollowAsync(run).ConfigureAwait(false);
            var report = await run.Completion.ConfigureAwait(false);

            console.Summary(report);
            if (sink is not null)
            {
                console.Note($"sink counted: {sink.MessagesReceived} messages, {sink.BytesReceived} bytes, {sink.RecipientsAccepted} recipients, {sink.SessionsOpened} sessions");
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
            if (sink is not null)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static LoadOptions BuildOptions(
        ParseResult result, Options o, string[] hosts, int? port, TlsMode tlsMode, TlsOptions tls, string? user, string? password, LoadConsole console)
    {
        var implicitTls = tlsMode == TlsMode.Implicit;
        var timeout = TimeSpan.FromSeconds(result.GetValue(o.Connection.Timeout));
        var session = new SmtpSessionSettings
        {
            Connection = new ConnectionSpec
            {
                Hosts = [.. hosts.Select(ServerAddress.Parse)],
                DefaultPort = port ?? (implicitTls ? 465 : 25),
                ImplicitTls = implicitTls,
                Tls = tls,
                ConnectTimeout = timeout,
            },
            TlsMode = tlsMode,
            HelloDomain = result.GetValue(o.Hello)!,
            Credentials = user is null ? null : new SaslCredentials(user, password!),
            AllowCleartextAuthentication = result.GetValue(o.Connection.AllowCleartextAuth),
            CommandTimeout = timeout,
            UsePipelining = ArgumentParsers.OnOff(result.GetValue(o.Pipelining)!, "--pipelining"),
            PreferChunking = ArgumentParsers.OnOff(result.GetValue(o.Chunking)!, "--chunking"),
        };
        var duration = result.GetValue(o.Duration) is { } d ? ArgumentParsers.Duration(d, "--duration") : (TimeSpan?)null;
        return new LoadOptions
        {
            Session = session,
            Sessions = result.GetValue(o.Sessions),
            Messages = result.GetValue(o.Messages),
            Duration = duration,
            Rate = result.GetValue(o.Rate),
            MessagesPerConnection = result.GetValue(o.MessagesPerConnection),
            ConnectRate = result.GetValue(o.ConnectRate),
            Hold = result.GetValue(o.Hold),
            FirstConnectionTranscript = result.GetValue(o.Connection.Debug) ? console.Transcript() : null,
            Message = new LoadMessageOptions
            {
                From = result.GetValue(o.From)!,
                To = result.GetValue(o.To)!,
                Recipients = result.GetValue(o.Recipients),
                Size = SizeDistribution.Parse(result.GetValue(o.Size)!),
            },
        };
    }
}
