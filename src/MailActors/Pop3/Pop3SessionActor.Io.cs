using System.Buffers;
using Akka.Actor;
using Akka.Event;
using MailActors.Diagnostics;
using MailActors.Protocol.Pop3;
using MailActors.Transport;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Pop3;

// POP3 on the shared wire machinery (WireChannel): command lines out in order, status lines and multi-line bodies read
// in order by the readers that expect them (which is what makes PIPELINING work), and the endings of an exchange.
public sealed partial class Pop3SessionActor
{
    private Pop3Response? _lastResponse;
    private BodySink? _openBody;

    // ---- output ----

    /// <summary>Queues a command line for writing and records it (redacted) in the transcript.</summary>
    private void Send(Pop3Command command) => Wire.Send(command.ToTranscript(), command.ToWireBytes());

    /// <summary>Queues several commands as one write (a PIPELINING group).</summary>
    private void SendGroup(IReadOnlyList<Pop3Command> commands) =>
        Wire.SendGroup(commands, command => command.ToTranscript(), (command, buffer) => command.WriteTo(buffer));

    /// <summary>Whether a batch may go out in one write.</summary>
    private bool CanPipeline => _settings.UsePipelining && _capabilities.Pipelining;

    // ---- input ----

    /// <summary>Writes one command and hands its status line to <paramref name="onResponse"/>.</summary>
    private void Exchange(Pop3Command command, Action<Pop3Response> onResponse)
    {
        // Expect first: with a response awaited, the reply timeout guards the write too (see WireChannel.Write).
        ExpectStatus(onResponse);
        Send(command);
    }

    private void ExpectStatus(Action<Pop3Response> onResponse) =>
        Wire.Expect(new StatusReader(_parser, response =>
        {
            Record(response);
            onResponse(response);
        }));

    /// <summary>Writes a command whose <c>+OK</c> carries a listing and hands status and lines to <paramref name="onDone"/>.</summary>
    private void ExchangeLines(Pop3Command command, Action<Pop3Response, IReadOnlyList<string>> onDone)
    {
        ExpectLines(onDone);
        Send(command);
    }

    private void ExpectLines(Action<Pop3Response, IReadOnlyList<string>> onDone)
    {
        var sink = new LinesSink();
        ExpectBody(sink, Record, status =>
        {
            if (status.IsOk && Transcript is not null)
            {
                foreach (var line in sink.Lines)
                {
                    Transcript.Write(TranscriptDirection.Server, line.StartsWith('.') ? "." + line : line);
                }
                Transcript.Write(TranscriptDirection.Server, ".");
            }
            onDone(status, sink.Lines);
        });
    }

    /// <summary>Expects a status line and, after a <c>+OK</c>, a multi-line body decoded into <paramref name="sink"/>.</summary>
    private void ExpectBody(BodySink sink, Action<Pop3Response> onStatus, Action<Pop3Response> onDone) =>
        Wire.Expect(new MultiLineReader(_parser, _decoder, sink, status =>
        {
            if (status.IsOk)
            {
                _openBody = sink;
            }
            onStatus(status);
        }, status =>
        {
            _openBody = null;
            onDone(status);
        }));

    private void Record(Pop3Response response)
    {
        _lastResponse = response;
        // SASL challenges are redacted like the client's answers: the AUTH exchange never reaches a transcript.
        Transcript?.Write(TranscriptDirection.Server, response.IsContinuation ? "+ ****" : response.ToString());
    }

    private void RecordBody(long octets)
    {
        Transcript?.Write(TranscriptDirection.Server, $"<{octets} octets of content>");
        Transcript?.Write(TranscriptDirection.Server, ".");
    }

    // ---- endings ----

    /// <summary>Answers with the response, or with a <see cref="Pop3CommandException"/> when it is <c>-ERR</c>.</summary>
    private void FinishWithResponse(string command, Pop3Response response, object replyWhenOk, UntypedReceive next)
    {
        if (response.IsOk)
        {
            FinishWith(replyWhenOk, next);
        }
        else
        {
            FinishWithFailure(new Pop3CommandException(command, response), next);
        }
    }

    private protected override UntypedReceive BeforeRest(UntypedReceive next)
    {
        _activity = null;
        return next;
    }

    /// <summary>Ends the session: answers the requester with <paramref name="error"/>, closes the socket, rests in Closed.</summary>
    private protected override void FailSession(Exception error)
    {
        Log.Debug("POP3 session to {0} ends: {1}", Link?.Host.ToString() ?? "(none)", error.Message);
        var deletesAtStake = _activity == "Update" && _pendingDeletes.Count > 0;
        ClosedBecause = error;
        _openBody?.Abort(error);
        _openBody = null;
        CloseConnection(error.Message);
        if (CurrentCommand == "QUIT" && !deletesAtStake && error is MailSessionClosedException)
        {
            // The server hung up before answering QUIT: with nothing to commit, the goal (a closed session) is reached.
            FinishWith(new Pop3Response(Pop3StatusKind.Ok, "connection closed by the server before replying to QUIT"), Closed);
            return;
        }
        if (deletesAtStake)
        {
            error = new MailSessionClosedException(
                $"The session ended before the server confirmed QUIT; the {_pendingDeletes.Count} deletion(s) may not have been committed: {error.Message}", error);
        }
        FinishWithFailure(error, Closed);
    }
}
