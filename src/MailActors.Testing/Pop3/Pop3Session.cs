using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace MailActors.Testing;

/// <summary>
/// One POP3 server session: AUTHORIZATION (CAPA, STLS, USER/PASS, APOP, AUTH), TRANSACTION (STAT, LIST, UIDL, TOP,
/// RETR, DELE, RSET, NOOP, LAST) and UPDATE on QUIT, each command run through the fault rules.
/// </summary>
internal sealed partial class Pop3Session : FaultingSession<Pop3Step>
{
    private readonly Pop3TestServer _server;
    private readonly Pop3TestServerOptions _options;
    private readonly Pop3Recorder _recorder;
    private Pop3State _state = Pop3State.Authorization;
    private bool _greetingRejected;
    private string? _apopTimestamp;

    public Pop3Session(Pop3TestServer server, ProtocolChannel channel)
        : base(channel, server.Faults)
    {
        _server = server;
        _options = server.Options;
        _recorder = server.Recorder;
    }

    protected override string OverlongLinePrefix => "+OK ";

    protected override string UnterminatedFirstLine => "+OK unterminated listing follows";

    public async Task RunAsync()
    {
        _recorder.SessionOpened();
        try
        {
            if (_options.ImplicitTls)
            {
                await Channel.UpgradeToTlsAsync(_server.TlsOptions).ConfigureAwait(false);
            }

            await RunStepAsync(FaultCommands.Connect, "", new Pop3Step("", "")).ConfigureAwait(false);
            while (!CloseRequested)
            {
                var read = await Channel.ReadLineAsync(_options.MaxCommandLineLength).ConfigureAwait(false);
                if (read.Status == LineReadStatus.EndOfStream)
                {
                    break;
                }

                if (read.Status == LineReadStatus.TooLong)
                {
                    Err(null, "Line too long");
                    continue;
                }

                var line = Encoding.UTF8.GetString(read.Line.Span);
                _recorder.LogCommand(line);
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
                var argument = space < 0 ? "" : line[(space + 1)..];
                await RunStepAsync(verb, argument, new Pop3Step(verb, argument)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!Channel.ServerStopping)
        {
            await Channel.TrySendLastWordsAsync("-ERR Disconnected for inactivity.").ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, the handshake failed, or the server is stopping.
        }
        finally
        {
            await FinishAsync().ConfigureAwait(false);
        }
    }

    protected override ValueTask ExecuteAsync(Pop3Step step)
    {
        if (step.IsGreeting)
        {
            _apopTimestamp = _options.Apop ? Protocol.Pop3.Apop.CreateTimestamp(_options.ServerName) : null;
            Ok(_apopTimestamp is null ? _options.Greeting : $"{_options.Greeting} {_apopTimestamp}");
            return ValueTask.CompletedTask;
        }

        if (_greetingRejected && step.Verb != "QUIT")
        {
            Err("SYS/PERM", "Service not available");
            return ValueTask.CompletedTask;
        }

        return _state == Pop3State.Authorization ? AuthorizationCommandAsync(step.Verb, step.Argument) : TransactionCommandAsync(step.Verb, step.Argument);
    }

    protected override void WriteFaultReply(string text) => Channel.WriteLine(text);

    protected override string UnterminatedLine(long index) => string.Create(CultureInfo.InvariantCulture, $"{index} 1000");

    protected override void OnStepSuppressed(Pop3Step step, FaultAction action)
    {
        if (step.IsGreeting)
        {
            _greetingRejected = !(action is ReplyFault reply && reply.Text.StartsWith("+OK", StringComparison.Ordinal));
        }
    }

    private void Ok(string text) => Channel.WriteLine("+OK " + text);

    private void Err(string? responseCode, string text) =>
        Channel.WriteLine(responseCode is not null && _options.RespCodes ? $"-ERR [{responseCode}] {text}" : "-ERR " + text);

    private void AuthErr(string text) => Err(_options.AuthRespCode ? "AUTH" : null, text);

    private void Capa()
    {
        Ok("Capability list follows");
        var lines = new List<string>();
        if (_options.Top)
        {
            lines.Add("TOP");
        }

        if (_options.Uidl)
        {
            lines.Add("UIDL");
        }

        if (_state == Pop3State.Authorization && LoginAllowed)
        {
            if (_options.UserPass)
            {
                lines.Add("USER");
            }

            if (_options.AuthMechanisms.Count > 0)
            {
                lines.Add("SASL " + string.Join(' ', _options.AuthMechanisms));
            }
        }

        if (_options.StartTls && !Channel.IsTls && _state == Pop3State.Authorization)
        {
            lines.Add("STLS");
        }

        if (_options.Pipelining)
        {
            lines.Add("PIPELINING");
        }

        if (_options.RespCodes)
        {
            lines.Add("RESP-CODES");
        }

        if (_options.AuthRespCode)
        {
            lines.Add("AUTH-RESP-CODE");
        }

        if (_options.LoginDelay is { } delay)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"LOGIN-DELAY {delay}"));
        }

        if (_options.Expire is { } expire)
        {
            lines.Add("EXPIRE " + expire);
        }

        if (_options.Utf8)
        {
            lines.Add(_options.Utf8User ? "UTF8 USER" : "UTF8");
        }

        if (_options.Languages.Count > 0)
        {
            lines.Add("LANG");
        }

        if (_options.Implementation is { } implementation)
        {
            lines.Add("IMPLEMENTATION " + implementation);
        }

        foreach (var line in lines)
        {
            Channel.WriteLine(line);
        }

        Channel.WriteLine(".");
    }

    private async ValueTask FinishAsync()
    {
        try
        {
            await Channel.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client is gone.
        }

        ReleaseMailbox();
        _recorder.SessionClosed();
        await Channel.DisposeAsync().ConfigureAwait(false);
    }
}
