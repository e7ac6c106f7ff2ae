using System.CommandLine;
using System.Globalization;
using System.Net;
using MailActors.Cli.Load;
using MailActors.Testing;

namespace MailActors.Cli.Commands;

/// <summary>
/// <c>mailactors sink</c>: a fast SMTP sink in the spirit of Postfix <c>smtp-sink</c> — discards (or records) what it
/// receives, checks integrity digests, advertises or hides extensions, and injects faults in smtp-sink's vocabulary.
/// Runs until Ctrl-C, or until <c>--duration</c> or <c>--messages</c>.
/// </summary>
internal static class SinkCommand
{
    private sealed class Options
    {
        public Option<int> Port { get; } = new("--port", "-p") { Description = "Port to listen on (0 = any free port; the chosen one is printed)", DefaultValueFactory = _ => 2525 };
        public Option<string> Address { get; } = new("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        public Option<FileInfo?> Record { get; } = new("--record") { Description = "Append every accepted message to FILE (mboxrd, with X-Envelope-From/To); slows the sink down" };
        public Option<bool> Verify { get; } = new("--verify") { Description = "Check each message's X-MailActors-Digest integrity header (exit code 3 when any body changed)" };
        public Option<string> Pipelining { get; } = new("--pipelining") { Description = "on | off: advertise PIPELINING (smtp-sink -p)", DefaultValueFactory = _ => "on" };
        public Option<string> Chunking { get; } = new("--chunking") { Description = "on | off: advertise and accept BDAT", DefaultValueFactory = _ => "on" };
        public Option<string> EightBitMime { get; } = new("--8bitmime") { Description = "on | off: advertise 8BITMIME (smtp-sink -8)", DefaultValueFactory = _ => "on" };
        public Option<string> SmtpUtf8 { get; } = new("--smtputf8") { Description = "on | off: advertise SMTPUTF8", DefaultValueFactory = _ => "on" };
        public Option<string> StartTls { get; } = new("--starttls") { Description = "on | off: advertise STARTTLS (in-process certificate for localhost)", DefaultValueFactory = _ => "on" };
        public Option<bool> ImplicitTls { get; } = new("--implicit-tls") { Description = "TLS from the first byte (SMTPS)" };
        public Option<long?> Size { get; } = new("--size") { Description = "Advertise SIZE with this limit in bytes (0 = no limit; not negative); not advertised when absent" };
        public Option<string[]> Fault { get; } = new("--fault")
        {
            Description = "Fault rule, repeatable: COMMANDS:ACTION[;every=N][;p=P][;seed=N][;times=N][;match=TEXT], e.g. RCPT:reply:451 4.3.0 try later;every=3 "
                + "or .:delay:2s (durations as for --delay; every and times are at least 1, p above 0 and at most 1)",
        };
        public Option<string?> SoftReject { get; } = new("--soft-reject") { Description = "Answer these commands (comma list, '.' = end of data) with 450 4.3.0 (smtp-sink -r)" };
        public Option<string?> HardReject { get; } = new("--hard-reject") { Description = "Answer these commands with 500 5.3.0 (smtp-sink -f)" };
        public Option<string?> Disconnect { get; } = new("--disconnect") { Description = "Drop the connection without replying to these commands (smtp-sink -q)" };
        public Option<string?> Close421 { get; } = new("--close-421") { Description = "Reply 421 and disconnect on these commands (smtp-sink -Q)" };
        public Option<string[]> Delay { get; } = new("--delay")
        {
            Description = "CMD:DURATION[:PROBABILITY], repeatable: delay the reply (smtp-sink -w/-W), e.g. .:200ms or RCPT:1s:0.1; "
                + "a bare number is seconds, as in --fault CMD:delay:DURATION",
        };
        public Option<int?> MaxSessions { get; } = new("--max-sessions") { Description = "Most simultaneous sessions, at least 1; more get 421 (smtp-sink -m)" };
        public Option<string> IdleTimeout { get; } = new("--idle-timeout") { Description = "Close sessions idle this long (smtp-sink -t)", DefaultValueFactory = _ => "5m" };
        public Option<string?> User { get; } = new("--user") { Description = "Offer AUTH PLAIN/LOGIN for this user" };
        public Option<string?> PasswordEnv { get; } = new("--password-env") { Description = "Environment variable holding that user's password" };
        public Option<string?> Duration { get; } = new("--duration") { Description = "Stop after this long (e.g. 30s, 5m)" };
        public Option<long?> Messages { get; } = new("--messages") { Description = "Stop after this many messages (smtp-sink -M)" };
        public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No per-second counters" };

        public IEnumerable<Option> All => [Port, Address, Record, Verify, Pipelining, Chunking, EightBitMime, SmtpUtf8, StartTls, ImplicitTls, Size, Fault,
            SoftReject, HardReject, Disconnect, Close421, Delay, MaxSessions, IdleTimeout, User, PasswordEnv, Duration, Messages, Quiet];
    }

    public static Command Create()
    {
        var options = new Options();
        var command = new Command("sink", "A fast SMTP sink: counts (or records) what arrives, verifies integrity digests, advertises or hides extensions, injects faults like Postfix smtp-sink.");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((result, ct) => RunAsync(result, options, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, Options o, CancellationToken ct)
    {
        SmtpTestServer? server = null;
        MboxRecorder? recorder = null;
        try
        {
            var integrity = result.GetValue(o.Verify) ? new IntegrityChecker() : null;
            var maxMessageSize = OptionChecks.AtLeast(result.GetValue(o.Size), 0, "--size");
            var maxSessions = OptionChecks.AtLeast(result.GetValue(o.MaxSessions), 1, "--max-sessions");
            var faults = FaultRules(result, o);
            if (result.GetValue(o.Record) is { } file)
            {
                try
                {
                    recorder = new MboxRecorder(file.FullName);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliUsageException($"--record: cannot open {file.FullName}: {e.Message}");
                }
            }
            var user = result.GetValue(o.User);
            var passwordVariable = result.GetValue(o.PasswordEnv);
            if ((user is null) != (passwordVariable is null))
            {
                throw new CliUsageException("--user and --password-env go together.");
            }
            var password = passwordVariable is null ? null
                : Environment.GetEnvironmentVariable(passwordVariable) ?? throw new CliUsageException($"The environment variable {passwordVariable} (from --password-env) is not set.");
            var duration = result.GetValue(o.Duration) is { } d ? ArgumentParsers.Duration(d, "--duration") : (TimeSpan?)null;
            var messages = OptionChecks.AtLeast(result.GetValue(o.Messages), 1, "--messages");
            var serverOptions = new SmtpTestServerOptions
            {
                Address = IPAddress.TryParse(result.GetValue(o.Address), out var address) ? address : throw new CliUsageException($"--address: '{result.GetValue(o.Address)}' is not an IP address."),
                Port = result.GetValue(o.Port),
                ServerName = "mailactors-sink",
                Greeting = "ESMTP mailactors sink",
                Record = false,
                Pipelining = ArgumentParsers.OnOff(result.GetValue(o.Pipelining)!, "--pipelining"),
                Chunking = ArgumentParsers.OnOff(result.GetValue(o.Chunking)!, "--chunking"),
                EightBitMime = ArgumentParsers.OnOff(result.GetValue(o.EightBitMime)!, "--8bitmime"),
                SmtpUtf8 = ArgumentParsers.OnOff(result.GetValue(o.SmtpUtf8)!, "--smtputf8"),
                StartTls = ArgumentParsers.OnOff(result.GetValue(o.StartTls)!, "--starttls"),
                ImplicitTls = result.GetValue(o.ImplicitTls),
                MaxMessageSize = maxMessageSize,
                MaxConcurrentSessions = maxSessions,
                IdleTimeout = ArgumentParsers.Duration(result.GetValue(o.IdleTimeout)!, "--idle-timeout"),
                AuthMechanisms = user is null ? [] : ["PLAIN", "LOGIN"],
                Users = user is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [user] = password! },
                Inspectors = [.. new IMessageInspector?[] { integrity, recorder }.OfType<IMessageInspector>()],
                Faults = faults,
            };
            server = await SmtpTestServer.StartAsync(serverOptions, ct).ConfigureAwait(false);
            var output = Console.Out;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"mailactors sink listening on {server.EndPoint}")).ConfigureAwait(false);
            await output.FlushAsync(ct).ConfigureAwait(false);

            await WaitForEndAsync(server, duration, messages, result.GetValue(o.Quiet), ct).ConfigureAwait(false);

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"sessions {server.SessionsOpened}, messages {server.MessagesReceived}, bytes {server.BytesReceived}, recipients {server.RecipientsAccepted}")).ConfigureAwait(false);
            await output.WriteLineAsync("replies by code: " + string.Join("  ", server.RepliesByCode.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}×{p.Value}")))).ConfigureAwait(false);
            if (recorder is not null)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"recorded {recorder.Messages} messages to {result.GetValue(o.Record)!.FullName}")).ConfigureAwait(false);
            }
            if (integrity is not null)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"integrity: {integrity.Valid} valid, {integrity.Missing} without digest, {integrity.Mismatch} changed")).ConfigureAwait(false);
                return integrity.Mismatch > 0 ? ExitCodes.IntegrityFailure : ExitCodes.Ok;
            }
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is CliUsageException or FormatException or ArgumentException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await Console.Error.WriteLineAsync("error: cannot listen: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            if (recorder is not null)
            {
                await recorder.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task WaitForEndAsync(SmtpTestServer server, TimeSpan? duration, long? messages, bool quiet, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var lastCount = 0L;
        var lastPrinted = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            if (duration is { } limit && started.Elapsed >= limit)
            {
                return;
            }
            if (messages is { } count && server.MessagesReceived >= count)
            {
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!quiet && started.Elapsed - lastPrinted >= TimeSpan.FromSeconds(1))
            {
                lastPrinted = started.Elapsed;
                var received = server.MessagesReceived;
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"[{started.Elapsed.TotalSeconds,5:0}s] messages {received,9:#,0}  {received - lastCount,7:#,0} msg/s  sessions {server.SessionsActive,5}  bytes {Units.Bytes(server.BytesReceived)}")).ConfigureAwait(false);
                lastCount = received;
            }
        }
    }

    /// <summary>The <c>--fault</c> rules, then smtp-sink style shorthands, in that order (the first rule that fires wins).</summary>
    private static IReadOnlyList<FaultRule> FaultRules(ParseResult result, Options o)
    {
        var rules = new List<FaultRule>();
        foreach (var spec in result.GetValue(o.Fault) ?? [])
        {
            rules.AddRange(FaultSpec.Parse(spec));
        }
        void Shorthand(string? commands, Func<FaultAction> action)
        {
            foreach (var command in (commands ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                rules.Add(FaultRule.On(command.ToUpperInvariant(), action()));
            }
        }
        Shorthand(result.GetValue(o.SoftReject), () => FaultAction.Reply("450 4.3.0 Error: command failed"));
        Shorthand(result.GetValue(o.HardReject), () => FaultAction.Reply("500 5.3.0 Error: command failed"));
        Shorthand(result.GetValue(o.Disconnect), FaultAction.DisconnectBeforeReply);
        Shorthand(result.GetValue(o.Close421), () => FaultAction.Reply("421 4.3.0 Error: closing connection"));
        foreach (var delay in result.GetValue(o.Delay) ?? [])
        {
            rules.Add(DelayRule(delay));
        }
        return rules;
    }

    /// <summary>
    /// One <c>--delay CMD:DURATION[:PROBABILITY]</c>. The duration is read by <see cref="FaultSpec.TryParseDuration"/>,
    /// the parser of <c>--fault CMD:delay:DURATION</c>, so the two spellings cannot disagree on a unit.
    /// </summary>
    internal static FaultRule DelayRule(string delay)
    {
        var parts = delay.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            throw new CliUsageException($"--delay: '{delay}' is not CMD:DURATION[:PROBABILITY].");
        }
        var probability = parts.Length == 3
            ? double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 1 ? p
                : throw new CliUsageException($"--delay: '{parts[2]}' is not a probability above 0 and at most 1 (0 would never delay).")
            : 1.0;
        return new FaultRule
        {
            Command = parts[0].ToUpperInvariant(),
            Action = FaultAction.Delay(FaultSpec.TryParseDuration(parts[1], out var duration) ? duration
                : throw new CliUsageException($"--delay: '{parts[1]}' is not a duration (N seconds, or Nms, Ns, Nm, Nh: 200ms, 2s, 5).")),
            Probability = probability,
        };
    }
}
