using System.CommandLine;
using System.Globalization;
using MailActors.Cli.Commands;
using MailActors.Load;
using MailActors.Pop3;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;
using Spectre.Console;

namespace MailActors.Cli.Load;

/// <summary>
/// <c>mailactors load --protocol pop3</c>: the options turned into <see cref="Pop3LoadOptions"/>, and the embedded POP3
/// server whose mailboxes (one per session) are filled with load messages carrying integrity digests.
/// </summary>
internal static class Pop3LoadSetup
{
    private const string EmbeddedPassword = "load-password";
    private const int MostMessagesPerEmbeddedMailbox = 2000;

    public static async Task<PreparedRun> PrepareAsync(ParseResult result, LoadCommand.Options o, LoadConsole console, CancellationToken ct)
    {
        var embedded = result.GetValue(o.Embedded);
        var tlsMode = SmtpSessionSettings.ParseTlsMode(result.GetValue(o.Connection.Tls)!);
        var hosts = result.GetValue(o.Connection.Host) ?? [];
        var port = result.GetValue(o.Connection.Port);
        var tls = o.Connection.TlsOptions(result);
        var user = result.GetValue(o.Connection.User) ?? (embedded ? "load{s}" : throw new CliUsageException("--protocol pop3 needs --user (a mailbox, or a template such as 'load{s}')."));
        var password = o.Connection.Password(result) ?? (embedded ? EmbeddedPassword : throw new CliUsageException("--protocol pop3 needs --password-env."));
        var sessions = result.GetValue(o.Sessions);
        Pop3TestServer? server = null;
        if (embedded)
        {
            server = await StartEmbeddedAsync(result, o, tlsMode, user, password, sessions, ct).ConfigureAwait(false);
            hosts = ["127.0.0.1"];
            port = server.Port;
            tls = tls with { TrustedCertificates = [server.Certificate], TargetHost = "localhost" };
            console.Note($"embedded POP3 server listening on 127.0.0.1:{server.Port}, {sessions} mailbox(es) of {server.GetMailbox(AddressTemplate.Parse(user).Expand(0, 1, 0)).Messages.Count} messages");
        }
        try
        {
            var implicitTls = tlsMode == TlsMode.Implicit;
            var timeout = TimeSpan.FromSeconds(result.GetValue(o.Connection.Timeout));
            var options = new Pop3LoadOptions
            {
                Session = new Pop3SessionSettings
                {
                    Connection = new ConnectionSpec
                    {
                        Hosts = [.. hosts.Select(ServerAddress.Parse)],
                        DefaultPort = port ?? (implicitTls ? 995 : 110),
                        ImplicitTls = implicitTls,
                        Tls = tls,
                        ConnectTimeout = timeout,
                    },
                    TlsMode = tlsMode,
                    LoginMethod = ParseLogin(result.GetValue(o.Login)!),
                    AllowCleartextAuthentication = result.GetValue(o.Connection.AllowCleartextAuth) || embedded,
                    CommandTimeout = timeout,
                    Transcript = null,
                },
                User = user,
                Password = password,
                AuthMechanism = result.GetValue(o.Connection.Mechanism),
                Sessions = sessions,
                Messages = result.GetValue(o.Messages),
                Duration = result.GetValue(o.Duration) is { } d ? ArgumentParsers.Duration(d, "--duration") : null,
                MessagesPerConnection = result.GetValue(o.MessagesPerConnection),
                Delete = result.GetValue(o.Delete),
                ConnectRate = result.GetValue(o.ConnectRate),
                FirstConnectionTranscript = result.GetValue(o.Connection.Debug) ? console.Transcript() : null,
            };
            options.Validate();
            return new PreparedRun(
                system => LoadRun.StartPop3(system, options),
                Header(options),
                server,
                server is null ? null : () => $"POP3 server counted: {server.MessagesRetrieved} messages retrieved, {server.DeletionsCommitted} deletions committed, {server.LoginsSucceeded} logins, {server.SessionsOpened} sessions");
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    private static Pop3LoginMethod ParseLogin(string text) => text.Trim().ToLowerInvariant() switch
    {
        "user-pass" or "userpass" or "user" => Pop3LoginMethod.UserPass,
        "apop" => Pop3LoginMethod.Apop,
        "sasl" or "auth" => Pop3LoginMethod.Sasl,
        _ => throw new CliUsageException($"--login: '{text}' is not user-pass, apop or sasl."),
    };

    /// <summary>One mailbox per session, each holding enough load messages for its share of the run.</summary>
    private static async Task<Pop3TestServer> StartEmbeddedAsync(
        ParseResult result, LoadCommand.Options o, TlsMode tlsMode, string user, string password, int sessions, CancellationToken ct)
    {
        var template = AddressTemplate.Parse(user);
        var names = Enumerable.Range(1, sessions).Select(s => template.Expand(0, s, 0)).Distinct().ToList();
        var perMailbox = result.GetValue(o.Messages) is { } total ? (int)Math.Min(MostMessagesPerEmbeddedMailbox, Math.Max(1, (total + names.Count - 1) / names.Count)) : 100;
        var factory = new LoadMessageFactory(new LoadMessageOptions { Size = SizeDistribution.Parse(result.GetValue(o.Size)!) });
        var messages = Enumerable.Range(1, perMailbox).Select(n => factory.ContentBytes(n, 1)).ToList();
        return await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = names.ToDictionary(n => n, _ => password),
            Mailboxes = names.ToDictionary(n => n, _ => Pop3Mailbox.InMemory(messages)),
            // The test server offers no SASL mechanism by default: without these, --login sasl could never log in.
            AuthMechanisms = ["PLAIN", "LOGIN"],
            StartTls = tlsMode is TlsMode.StartTls or TlsMode.StartTlsWhenAvailable,
            ImplicitTls = tlsMode == TlsMode.Implicit,
            Record = false,
            IdleTimeout = TimeSpan.FromHours(1),
        }, ct).ConfigureAwait(false);
    }

    private static string Header(Pop3LoadOptions options)
    {
        var connection = options.Session.Connection;
        var target = string.Join(",", connection.Hosts.Select(h => h.Port is null ? $"{h.Host}:{connection.DefaultPort}" : h.ToString()));
        var bound = string.Join(" or ", new[]
        {
            options.Messages is { } m ? $"{Units.Count(m)} messages" : null,
            options.Duration is { } d ? $"{d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : null,
        }.Where(x => x is not null));
        return $"[bold]mailactors load --protocol pop3[/] → {Markup.Escape(target)}: {options.Sessions} sessions as {Markup.Escape(options.User)}, {Markup.Escape(bound)}; "
            + $"RETR{(options.Delete ? " + DELE" : "")}, {(options.MessagesPerConnection > 0 ? $"{options.MessagesPerConnection} msg/connection" : "whole mailbox per connection")}, "
            + $"tls {(connection.ImplicitTls ? "implicit" : options.Session.TlsMode.ToString().ToLowerInvariant())}";
    }
}
