using System.CommandLine;
using System.Globalization;
using MailActors.Cli.Commands;
using MailActors.Load;
using MailActors.Protocol.Sasl;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;
using Spectre.Console;

namespace MailActors.Cli.Load;

/// <summary><c>mailactors load</c> for SMTP: the options turned into <see cref="LoadOptions"/>, and the embedded sink.</summary>
internal static class SmtpLoadSetup
{
    public static async Task<PreparedRun> PrepareAsync(ParseResult result, LoadCommand.Options o, LoadConsole console, CancellationToken ct)
    {
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
        SmtpTestServer? sink = null;
        if (result.GetValue(o.Embedded))
        {
            (sink, tls) = await EmbeddedSmtpSink.StartAsync(tlsMode, user, password, tls, record: false, idleTimeout: TimeSpan.FromHours(1), ct).ConfigureAwait(false);
            hosts = ["127.0.0.1"];
            port = sink.Port;
            console.Note($"embedded SMTP sink listening on 127.0.0.1:{sink.Port}");
        }
        try
        {
            var options = BuildOptions(result, o, hosts, port, tlsMode, tls, user, password, console);
            options.Validate();
            return new PreparedRun(
                system => LoadRun.Start(system, options),
                Header(options),
                sink,
                sink is null ? null : () => $"sink counted: {sink.MessagesReceived} messages, {sink.BytesReceived} bytes, {sink.RecipientsAccepted} recipients, {sink.SessionsOpened} sessions");
        }
        catch
        {
            if (sink is not null)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    private static LoadOptions BuildOptions(
        ParseResult result, LoadCommand.Options o, string[] hosts, int? port, TlsMode tlsMode, TlsOptions tls, string? user, string? password, LoadConsole console)
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
            AuthMechanism = result.GetValue(o.Connection.Mechanism),
            AllowCleartextAuthentication = result.GetValue(o.Connection.AllowCleartextAuth),
            CommandTimeout = timeout,
            UsePipelining = ArgumentParsers.OnOff(result.GetValue(o.Pipelining)!, "--pipelining"),
            PreferChunking = ArgumentParsers.OnOff(result.GetValue(o.Chunking)!, "--chunking"),
        };
        return new LoadOptions
        {
            Session = session,
            Sessions = result.GetValue(o.Sessions),
            Messages = result.GetValue(o.Messages),
            Duration = result.GetValue(o.Duration) is { } d ? ArgumentParsers.Duration(d, "--duration") : null,
            Rate = result.GetValue(o.Rate),
            MessagesPerConnection = result.GetValue(o.MessagesPerConnection),
            ConnectRate = result.GetValue(o.ConnectRate),
            Hold = result.GetValue(o.Hold),
            FirstConnectionTranscript = result.GetValue(o.Connection.Debug) ? console.Transcript() : null,
            Message = new LoadMessageOptions
            {
                From = result.GetValue(o.From)!,
                To = result.GetValue(o.To) ?? LoadMessageOptions.DefaultTo(result.GetValue(o.Recipients)),
                Recipients = result.GetValue(o.Recipients),
                Size = SizeDistribution.Parse(result.GetValue(o.Size)!),
            },
        };
    }

    private static string Header(LoadOptions options)
    {
        var session = options.Session;
        var target = string.Join(",", session.Connection.Hosts.Select(h => h.Port is null ? $"{h.Host}:{session.Connection.DefaultPort}" : h.ToString()));
        var mode = options.Hold ? "hold" : options.Rate is { } rate ? $"open loop at {rate.ToString(CultureInfo.InvariantCulture)} msg/s" : "closed loop";
        var bound = string.Join(" or ", new[]
        {
            options.Hold ? null : options.PlannedMessages is { } m ? $"{Units.Count(m)} messages" : null,
            options.Duration is { } d && !(options.Rate is not null && options.Messages is null) ? $"{d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : null,
        }.Where(x => x is not null));
        return $"[bold]mailactors load[/] → {Markup.Escape(target)}: {Markup.Escape(mode)}, {options.Sessions} sessions, {Markup.Escape(bound)}; "
            + $"body {Markup.Escape(options.Message.Size.ToString())} B, {options.Message.Recipients} rcpt/msg, pipelining {(session.UsePipelining ? "on" : "off")}, "
            + $"tls {(session.Connection.ImplicitTls ? "implicit" : session.TlsMode.ToString().ToLowerInvariant())}"
            + (options.MessagesPerConnection > 0 ? $", {options.MessagesPerConnection} msg/connection" : "");
    }
}
