using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using MailActors.Protocol.Smtp.Data;

namespace MailActors.Testing;

/// <summary>
/// One SMTP server session: the protocol state machine (greeting, EHLO/HELO, optional STARTTLS and AUTH, mail
/// transactions by DATA or BDAT, QUIT), run step by step through the fault rules. Replies go to the channel's pending
/// output and are sent when the session next waits for input, so a pipelined group gets its replies in one write.
/// </summary>
internal sealed partial class SmtpSession : FaultingSession<SmtpStep>
{
    private readonly SmtpTestServer _server;
    private readonly SmtpTestServerOptions _options;
    private readonly SmtpRecorder _recorder;
    private readonly long _id;
    private readonly SmtpTransaction _transaction = new();
    private readonly DotUnstuffer _dataDecoder = new();
    private SmtpSessionLog? _log;
    private string? _heloName;
    private bool _usedEhlo;
    private string? _user;
    private bool _greetingRejected;
    private bool _awaitingData;
    private int _messagesInSession;

    public SmtpSession(SmtpTestServer server, ProtocolChannel channel, long id)
        : base(channel, server.Faults)
    {
        _server = server;
        _options = server.Options;
        _recorder = server.Recorder;
        _id = id;
    }

    private bool Greeted => _heloName is not null;

    protected override string OverlongLinePrefix => "250 ";

    protected override string UnterminatedFirstLine => "250-" + _options.ServerName;

    public async Task RunAsync()
    {
        _log = _recorder.OpenSession(_id, Channel.RemoteEndPoint);
        try
        {
            if (_options.ImplicitTls)
            {
                await Channel.UpgradeToTlsAsync(_server.TlsOptions).ConfigureAwait(false);
                UpdateLog();
            }

            if (_options.MaxConcurrentSessions is { } max && _recorder.SessionsActive > max)
            {
                Reply(421, "4.7.0", $"{_options.ServerName} Error: too many connections");
                return;
            }

            await RunStepAsync(FaultCommands.Connect, "", new SmtpStep(SmtpStepKind.Greeting)).ConfigureAwait(false);
            while (!CloseRequested)
            {
                var read = await Channel.ReadLineAsync(_options.MaxCommandLineLength).ConfigureAwait(false);
                if (read.Status == LineReadStatus.EndOfStream)
                {
                    break;
                }

                if (read.Status == LineReadStatus.TooLong)
                {
                    Reply(500, "5.5.2", "Error: line too long");
                    continue;
                }

                var line = Encoding.UTF8.GetString(read.Line.Span);
                _recorder.LogCommand(_log, line);
                var (verb, argument) = SmtpCommandParser.SplitVerb(line);
                if (verb == "BDAT" && _options.Chunking && !_greetingRejected)
                {
                    await ReceiveChunkAsync(argument).ConfigureAwait(false);
                    continue;
                }

                await RunStepAsync(verb, argument, new SmtpStep(SmtpStepKind.Command, verb, argument)).ConfigureAwait(false);
                if (_awaitingData && !CloseRequested)
                {
                    _awaitingData = false;
                    await ReceiveDataAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!Channel.ServerStopping)
        {
            await Channel.TrySendLastWordsAsync(FormatReply(421, "4.4.2", $"{_options.ServerName} Error: timeout exceeded")).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, the handshake failed, or the server is stopping: the session just ends.
        }
        finally
        {
            await FinishAsync().ConfigureAwait(false);
        }
    }

    protected override ValueTask ExecuteAsync(SmtpStep step) => step.Kind switch
    {
        SmtpStepKind.Greeting => Greet(),
        SmtpStepKind.Command => ExecuteCommandAsync(step.Verb, step.Argument),
        SmtpStepKind.BdatChunk => CompleteChunkAsync(step),
        _ => CompleteMessage(),
    };

    protected override void WriteFaultReply(string text)
    {
        Channel.WriteLine(text);
        if (text.Length >= 3 && int.TryParse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            _recorder.CountReply(code);
            if (code == 421)
            {
                CloseRequested = true;
            }
        }
    }

    protected override string UnterminatedLine(long index) => string.Create(CultureInfo.InvariantCulture, $"250-X-UNTERMINATED-{index}");

    protected override void OnStepSuppressed(SmtpStep step, FaultAction action)
    {
        switch (step.Kind)
        {
            case SmtpStepKind.Greeting:
                // A replaced greeting that is not a 2xx reply means "no service": only QUIT is honoured afterwards.
                _greetingRejected = !(action is ReplyFault reply && reply.Text.StartsWith('2'));
                break;
            case SmtpStepKind.BdatChunk:
            case SmtpStepKind.EndOfMessage:
                // A refused chunk or message ends the transaction (RFC 3030 section 4.1: the data is discarded).
                _transaction.Reset();
                break;
            case SmtpStepKind.Command:
                break;
        }
    }

    private ValueTask Greet()
    {
        Reply(220, null, $"{_options.ServerName} {_options.Greeting}");
        return ValueTask.CompletedTask;
    }

    private ValueTask ExecuteCommandAsync(string verb, string argument)
    {
        if (_greetingRejected && verb != "QUIT")
        {
            Reply(503, "5.5.1", "Error: no service");
            return ValueTask.CompletedTask;
        }

        switch (verb)
        {
            case "EHLO":
                Ehlo(argument);
                break;
            case "HELO":
                Helo(argument);
                break;
            case "MAIL" or "SEND" or "SOML" or "SAML":
                Mail(verb, argument);
                break;
            case "RCPT":
                Rcpt(argument);
                break;
            case "DATA":
                Data(argument);
                break;
            case "RSET":
                Rset(argument);
                break;
            case "NOOP":
                Reply(250, "2.0.0", "Ok");
                break;
            case "QUIT":
                Reply(221, "2.0.0", "Bye");
                CloseRequested = true;
                break;
            case "VRFY":
                Vrfy(argument);
                break;
            case "EXPN":
                Expn(argument);
                break;
            case "HELP":
                Help();
                break;
            case "ETRN":
                Etrn(argument);
                break;
            case "STARTTLS":
                return StartTlsAsync(argument);
            case "AUTH":
                return AuthenticateAsync(argument);
            case "":
                Reply(500, "5.5.2", "Error: bad syntax");
                break;
            default:
                Reply(502, "5.5.2", "Error: command not recognized");
                break;
        }

        return ValueTask.CompletedTask;
    }

    private void Reply(int code, string? enhancedCode, string text) => WriteReplyLine(FormatReply(code, enhancedCode, text), code);

    private string FormatReply(int code, string? enhancedCode, string text) =>
        enhancedCode is not null && _options.EnhancedStatusCodes
            ? string.Create(CultureInfo.InvariantCulture, $"{code} {enhancedCode} {text}")
            : string.Create(CultureInfo.InvariantCulture, $"{code} {text}");

    /// <summary>Writes a multi-line reply: all but the last line with a hyphen after the code.</summary>
    private void ReplyLines(int code, IReadOnlyList<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var separator = i == lines.Count - 1 ? ' ' : '-';
            Channel.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{code}{separator}{lines[i]}"));
        }

        _recorder.CountReply(code);
    }

    private void WriteReplyLine(string line, int code)
    {
        Channel.WriteLine(line);
        _recorder.CountReply(code);
    }

    private void UpdateLog() => _log?.Update(_heloName, Channel.IsTls, _user);

    private async ValueTask FinishAsync()
    {
        try
        {
            await Channel.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client is gone; its last replies go with it.
        }

        _transaction.Dispose();
        _recorder.CloseSession(_log);
        await Channel.DisposeAsync().ConfigureAwait(false);
    }
}
