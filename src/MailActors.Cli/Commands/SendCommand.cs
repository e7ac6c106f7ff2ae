using System.CommandLine;
using MailActors.Diagnostics;
using MailActors.Protocol;
using MailActors.Protocol.Sasl;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Transport;
using MimeKit;

namespace MailActors.Cli.Commands;

/// <summary><c>mailactors send</c>: one message, swaks style — the transcript on screen and an exit code naming the failed phase.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var from = new Option<string>("--from") { Description = "Envelope and header sender", Required = true };
        var to = new Option<string[]>("--to") { Description = "Recipient (repeat for more)", Required = true };
        var subject = new Option<string>("--subject") { Description = "Subject header", DefaultValueFactory = _ => "MailActors test message" };
        var body = new Option<string?>("--body") { Description = "Plain-text body" };
        var eml = new Option<FileInfo?>("--eml")
        {
            Description = "Send this RFC 5322 file (envelope from --from/--to). It is parsed and written out again: CRLF line ends, "
                + "Bcc and Resent-Bcc removed, and parts re-encoded (quoted-printable or base64) when the server lacks 8BITMIME or a line exceeds 998 octets",
        };
        var hello = new Option<string>("--hello") { Description = "EHLO domain", DefaultValueFactory = _ => "localhost.localdomain" };
        var embedded = new Option<bool>("--embedded-sink") { Description = "Start an in-process SMTP server on 127.0.0.1 and send to it (no server needed)" };

        var command = new Command("send", "Send one message and print the SMTP transcript; the exit code names the phase that failed.");
        connection.AddTo(command);
        foreach (var option in new Option[] { from, to, subject, body, eml, hello, embedded })
        {
            command.Options.Add(option);
        }
        command.Validators.Add(result =>
        {
            if (result.GetValue(body) is not null && result.GetValue(eml) is not null)
            {
                result.AddError("--body and --eml are exclusive.");
            }
            if (!result.GetValue(embedded) && (result.GetValue(connection.Host) is not { Length: > 0 }))
            {
                result.AddError("--host is required (or use --embedded-sink).");
            }
            connection.RefuseTargetWithEmbedded(result, embedded);
        });
        command.SetAction((result, ct) => RunAsync(result, connection, new SendArguments(
            result.GetValue(from)!, result.GetValue(to)!, result.GetValue(subject)!, result.GetValue(body), result.GetValue(eml),
            result.GetValue(hello)!, result.GetValue(embedded)), ct));
        return command;
    }

    private sealed record SendArguments(string From, string[] To, string Subject, string? Body, FileInfo? Eml, string Hello, bool Embedded);

    private static async Task<int> RunAsync(ParseResult result, ConnectionOptions connection, SendArguments args, CancellationToken ct)
    {
        var output = Console.Out;
        SmtpTestServer? server = null;
        try
        {
            var tlsMode = SmtpSessionSettings.ParseTlsMode(result.GetValue(connection.Tls)!);
            var hosts = result.GetValue(connection.Host) ?? [];
            var port = result.GetValue(connection.Port);
            var tls = connection.TlsOptions(result);
            var password = connection.Password(result);
            var user = result.GetValue(connection.User);
            if ((user is null) != (password is null))
            {
                throw new CliUsageException("--user and --password-env go together.");
            }
            if (args.Embedded)
            {
                (server, tls) = await EmbeddedSmtpSink.StartAsync(tlsMode, user, password, tls, record: true, idleTimeout: null, ct).ConfigureAwait(false);
                hosts = ["127.0.0.1"];
                port = server.Port;
                await output.WriteLineAsync($"* embedded SMTP server listening on 127.0.0.1:{server.Port}").ConfigureAwait(false);
            }
            var transcript = new PhaseTracker(result.GetValue(connection.Debug) || args.Embedded ? new TextWriterTranscript(output) : null);
            var options = new SmtpClientOptions
            {
                Host = hosts,
                Port = port,
                Ssl = tlsMode == TlsMode.Implicit,
                StartTls = tlsMode == TlsMode.Implicit ? TlsMode.None : tlsMode,
                Tls = tls,
                Hello = args.Hello,
                Timeout = TimeSpan.FromSeconds(result.GetValue(connection.Timeout)),
                Transcript = transcript,
                AllowCleartextAuthentication = result.GetValue(connection.AllowCleartextAuth),
            };
            var message = await BuildMessageAsync(args, ct).ConfigureAwait(false);

            SmtpClient client;
            try
            {
                client = await SmtpClient.ConnectAsync(options, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MailConnectException or SmtpCommandException or MailNotSupportedException or MailSessionClosedException or MailTimeoutException or MailProtocolException)
            {
                return Fail(TlsFailures.Includes(e) ? ("tls", ExitCodes.Tls)
                    : e is SmtpCommandException ? ("hello", ExitCodes.Hello)
                    : ("connect", ExitCodes.Connect), e);
            }
            await using (client.ConfigureAwait(false))
            {
                if (user is not null)
                {
                    try
                    {
                        await client.AuthAsync(new SaslCredentials(user, password!), result.GetValue(connection.Mechanism), ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is MailAuthenticationException or MailStateException or MailSessionClosedException or MailTimeoutException or MailProtocolException)
                    {
                        return Fail(("auth", ExitCodes.Auth), e);
                    }
                }
                SendResult sent;
                try
                {
                    sent = await client.SendMessageAsync(message, new SendMessageOptions { Sender = args.From, Recipients = args.To }, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MailNotSupportedException or ArgumentException)
                {
                    return Fail(("mail", ExitCodes.Mail), e);
                }
                catch (Exception e) when (e is MailSessionClosedException or MailTimeoutException or MailProtocolException)
                {
                    return Fail(TransactionPhase(transcript.Interrupted), e);
                }
                try
                {
                    await client.QuitAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MailSessionClosedException or MailTimeoutException or MailProtocolException or MailStateException)
                {
                    // The transaction's outcome is already known; a server that closes or stalls at QUIT does not change it.
                    await Console.Error.WriteLineAsync("warning: QUIT: " + e.Message).ConfigureAwait(false);
                }
                return Report(sent);
            }
        }
        catch (CliUsageException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (MimeKit.ParseException e)
        {
            await Console.Error.WriteLineAsync("error: invalid address: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (MailArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: invalid argument: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static int Report(SendResult sent)
    {
        foreach (var refused in sent.Refused)
        {
            Console.Error.WriteLine($"refused: {refused.Address}: {refused.Reply.Code} {refused.Reply.Text}");
        }
        if (!sent.MailReply.IsPositiveCompletion)
        {
            Console.Error.WriteLine($"failed in phase mail: {sent.MailReply.Code} {sent.MailReply.Text}");
            return ExitCodes.Mail;
        }
        if (sent.Accepted.Count == 0)
        {
            Console.Error.WriteLine("failed in phase rcpt: no recipient was accepted");
            return ExitCodes.NoRecipient;
        }
        if (sent.DataReply is not { IsPositiveCompletion: true } data)
        {
            Console.Error.WriteLine($"failed in phase data: {sent.DataReply?.Code} {sent.DataReply?.Text}");
            return ExitCodes.Data;
        }
        Console.WriteLine($"sent to {sent.Accepted.Count} recipient(s): {data.Code} {data.Text}");
        return sent.Refused.Count > 0 ? ExitCodes.PartialDelivery : ExitCodes.Ok;
    }

    /// <summary>The phase (and exit code) of the transaction command a dropped connection or a timeout interrupted.</summary>
    private static (string Phase, int Code) TransactionPhase(string? interrupted) => interrupted switch
    {
        "RCPT" => ("rcpt", ExitCodes.NoRecipient),
        "DATA" or "BDAT" or "." => ("data", ExitCodes.Data),
        _ => ("mail", ExitCodes.Mail),
    };

    private static int Fail((string Phase, int Code) phase, Exception e)
    {
        Console.Error.WriteLine($"failed in phase {phase.Phase}: {e.Message}");
        return phase.Code;
    }

    private static async Task<MimeMessage> BuildMessageAsync(SendArguments args, CancellationToken ct)
    {
        if (args.Eml is not null)
        {
            if (!args.Eml.Exists)
            {
                throw new CliUsageException($"--eml: {args.Eml.FullName} does not exist.");
            }
            return await MimeMessage.LoadAsync(args.Eml.FullName, ct).ConfigureAwait(false);
        }
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(args.From));
        foreach (var recipient in args.To)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }
        message.Subject = args.Subject;
        message.Date = DateTimeOffset.UtcNow;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("mailactors.local");
        message.Body = new TextPart("plain") { Text = args.Body ?? "Sent by mailactors send.\n" };
        return message;
    }
}
