using System.CommandLine;
using MailActors.Diagnostics;
using MailActors.Pop3;
using MailActors.Pop3.Fetch;
using MailActors.Protocol;
using MailActors.Protocol.Sasl;
using MailActors.Transport;

namespace MailActors.Cli.Commands;

/// <summary>
/// <c>mailactors fetch</c>: one POP3 action (list, uidl, get, top, delete) or a crash-consistent download of the whole
/// mailbox into a Maildir. Without an action it prints the mailbox status. The exit code names the phase that failed.
/// </summary>
internal static class FetchCommand
{
    private sealed record Actions(bool List, bool Uidl, int? Get, int[]? Top, bool DeleteGiven, int? DeleteNumber, DirectoryInfo? Maildir, bool Keep, FileInfo? State, string Login, bool Utf8);

    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var list = new Option<bool>("--list") { Description = "List message numbers and sizes (LIST)" };
        var uidl = new Option<bool>("--uidl") { Description = "List message numbers and unique ids (UIDL)" };
        var get = new Option<int?>("--get") { Description = "Write message N to standard output (RETR)" };
        var top = new Option<int[]>("--top") { Description = "Print the headers and the first LINES body lines of message N (TOP N LINES)", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var delete = new Option<int?>("--delete") { Description = "Delete message N (DELE + QUIT); with --maildir and no number: delete each message once it is safely stored", Arity = ArgumentArity.ZeroOrOne };
        var maildir = new Option<DirectoryInfo?>("--maildir") { Description = "Download every message not yet stored into this Maildir (crash-consistent)" };
        var keep = new Option<bool>("--keep") { Description = "With --maildir: leave the messages on the server (the default)" };
        var state = new Option<FileInfo?>("--state") { Description = "With --maildir: the file remembering stored UIDLs (default: inside the Maildir, one per account)" };
        var login = new Option<string>("--login") { Description = "auto | user-pass | apop | sasl", DefaultValueFactory = _ => "auto" };
        var utf8 = new Option<bool>("--utf8") { Description = "Send UTF8 (RFC 6856) before logging in when the server lists it: UTF-8 messages, and a UTF-8 user name where it lists UTF8 USER" };

        var command = new Command("fetch", "Read a POP3 mailbox: status, list, uidl, get, top, delete, or a crash-consistent download into a Maildir.");
        connection.AddTo(command);
        foreach (var option in new Option[] { list, uidl, get, top, delete, maildir, keep, state, login, utf8 })
        {
            command.Options.Add(option);
        }
        command.Validators.Add(result =>
        {
            var chosen = new[]
            {
                result.GetValue(list), result.GetValue(uidl), result.GetValue(get) is not null, result.GetValue(top) is { Length: > 0 },
                result.GetResult(delete) is not null && result.GetValue(maildir) is null, result.GetValue(maildir) is not null,
            }.Count(x => x);
            if (chosen > 1)
            {
                result.AddError("Choose one of --list, --uidl, --get, --top, --delete N, --maildir.");
            }
            if (result.GetValue(maildir) is not null && result.GetValue(delete) is not null)
            {
                result.AddError("With --maildir, --delete takes no message number.");
            }
            if (result.GetValue(maildir) is not null && result.GetValue(keep) && result.GetResult(delete) is not null)
            {
                result.AddError("--keep and --delete are exclusive.");
            }
            if (result.GetValue(maildir) is null && (result.GetValue(keep) || result.GetValue(state) is not null))
            {
                result.AddError("--keep and --state go with --maildir.");
            }
            if (result.GetValue(maildir) is null && result.GetResult(delete) is not null && result.GetValue(delete) is null)
            {
                result.AddError("--delete needs a message number (or --maildir).");
            }
            if (result.GetValue(connection.Host) is not { Length: > 0 })
            {
                result.AddError("--host is required.");
            }
            if (result.GetValue(connection.User) is null || result.GetValue(connection.PasswordEnv) is null)
            {
                result.AddError("--user and --password-env are required.");
            }
        });
        command.SetAction((result, ct) => RunAsync(result, connection, new Actions(
            result.GetValue(list), result.GetValue(uidl), result.GetValue(get), result.GetValue(top),
            result.GetResult(delete) is not null, result.GetValue(delete), result.GetValue(maildir), result.GetValue(keep),
            result.GetValue(state), result.GetValue(login)!, result.GetValue(utf8)), ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, ConnectionOptions connection, Actions actions, CancellationToken ct)
    {
        try
        {
            var tlsMode = TlsModes.Parse(result.GetValue(connection.Tls)!);
            var user = result.GetValue(connection.User)!;
            var password = connection.Password(result)!;
            var options = new Pop3ClientOptions
            {
                Host = result.GetValue(connection.Host)!,
                Port = result.GetValue(connection.Port),
                Ssl = tlsMode == TlsMode.Implicit,
                StartTls = tlsMode == TlsMode.Implicit ? TlsMode.None : tlsMode,
                Tls = connection.TlsOptions(result),
                Timeout = TimeSpan.FromSeconds(result.GetValue(connection.Timeout)),
                Transcript = result.GetValue(connection.Debug) ? new TextWriterTranscript(Console.Error) : null,
                AllowCleartextAuthentication = result.GetValue(connection.AllowCleartextAuth),
            };

            Pop3Client client;
            try
            {
                client = await Pop3Client.ConnectAsync(options, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MailConnectException or Pop3CommandException or MailNotSupportedException or MailSessionClosedException or MailTimeoutException or MailProtocolException)
            {
                return Fail(TlsFailures.Includes(e) ? ("tls", ExitCodes.Tls) : ("connect", ExitCodes.Connect), e);
            }
            await using (client.ConfigureAwait(false))
            {
                try
                {
                    if (actions.Utf8 && (await client.CapabilitiesAsync(ct).ConfigureAwait(false)).Utf8)
                    {
                        await client.EnableUtf8Async(ct).ConfigureAwait(false);
                    }
                    await LoginAsync(client, user, password, actions.Login, result.GetValue(connection.Mechanism), ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MailAuthenticationException or Pop3CommandException or MailNotSupportedException or MailStateException)
                {
                    return Fail(("auth", ExitCodes.Auth), e);
                }
                try
                {
                    return await RunActionAsync(client, actions, Account(user, client, options), ct).ConfigureAwait(false);
                }
                catch (Pop3CommandException e)
                {
                    return Fail(("command", ExitCodes.Pop3Command), e);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return Fail(("store", ExitCodes.Store), e);
                }
            }
        }
        catch (CliUsageException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is MailArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync("error: invalid argument: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is MailSessionClosedException or MailTimeoutException or MailProtocolException)
        {
            return Fail(("session", ExitCodes.Connect), e);
        }
    }

    /// <summary>
    /// The mailbox a Maildir download remembers its UIDLs under, <c>user@host:port</c> as <see cref="FetchState"/> documents:
    /// UIDLs are unique only per mailbox, and two mailboxes on one host differ by port, named in --host or not.
    /// </summary>
    private static string Account(string user, Pop3Client client, Pop3ClientOptions options)
    {
        var connected = ServerAddress.Parse(client.Host);
        var port = connected.Port ?? options.ToSessionSettings().Connection.DefaultPort;
        return $"{user}@{connected with { Port = port }}";
    }

    private static Task<int> LoginAsync(Pop3Client client, string user, string password, string method, string? mechanism, CancellationToken ct)
    {
        var credentials = new SaslCredentials(user, password);
        var chosen = method.Trim().ToLowerInvariant() switch
        {
            "auto" when mechanism is not null => "sasl",
            "auto" => SaslMechanism.ChooseBest(client.Capabilities.SaslMechanisms, credentials) is not null ? "sasl"
                : client.ApopTimestamp is not null ? "apop" : "user-pass",
            var other => other,
        };
        return chosen switch
        {
            "sasl" => client.AuthAsync(credentials, mechanism, ct),
            "apop" => client.ApopAsync(user, password, ct),
            "user-pass" => client.LoginAsync(user, password, ct),
            _ => throw new CliUsageException($"--login {method}: use auto, user-pass, apop or sasl."),
        };
    }

    private static async Task<int> RunActionAsync(Pop3Client client, Actions actions, string account, CancellationToken ct)
    {
        var output = Console.Out;
        if (actions.List)
        {
            foreach (var (number, size) in (await client.ListAsync(ct).ConfigureAwait(false)).OrderBy(e => e.Key))
            {
                await output.WriteLineAsync($"{number} {size}").ConfigureAwait(false);
            }
        }
        else if (actions.Uidl)
        {
            foreach (var (number, uid) in (await client.UidlAsync(ct).ConfigureAwait(false)).OrderBy(e => e.Key))
            {
                await output.WriteLineAsync($"{number} {uid}").ConfigureAwait(false);
            }
        }
        else if (actions.Get is { } number)
        {
            var stdout = Console.OpenStandardOutput();
            await using (stdout.ConfigureAwait(false))
            {
                await client.GetAsync(number, stdout, ct).ConfigureAwait(false);
            }
        }
        else if (actions.Top is [var message, var lines])
        {
            foreach (var line in await client.TopAsync(message, lines, ct).ConfigureAwait(false))
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
        else if (actions.Maildir is { } directory)
        {
            var maildir = new Maildir(directory.FullName);
            var statePath = actions.State?.FullName ?? FetchState.DefaultPath(maildir, account);
            var state = await FetchState.LoadAsync(statePath, account, maildir, ct).ConfigureAwait(false);
            var report = await MaildirFetcher.RunAsync(client, maildir, state, deleteStored: actions.DeleteGiven && !actions.Keep,
                (n, path) => output.WriteLine($"stored {n} {Path.GetFileName(path)}"),
                count => output.WriteLine($"deleting {count} stored message(s)"), ct).ConfigureAwait(false);
            await output.WriteLineAsync($"downloaded {report.Downloaded}, already stored {report.AlreadyStored}, deleted {report.Deleted}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        else if (actions.DeleteNumber is { } doomed)
        {
            await client.DeleteAsync(doomed, ct).ConfigureAwait(false);
            await client.QuitAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync($"deleted {doomed}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        else
        {
            var (count, size) = await client.PopStatAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync($"{count} messages ({size} octets)").ConfigureAwait(false);
        }
        await client.QuitAsync(ct).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static int Fail((string Phase, int Code) phase, Exception e)
    {
        Console.Error.WriteLine($"failed in phase {phase.Phase}: {e.Message}");
        return phase.Code;
    }
}
