using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using MailActors.Diagnostics;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using MailActors.Protocol.Smtp.Data;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

// Mail transactions: MAIL, RCPT, DATA (whole or streamed), BDAT, and the pipelined Transaction.
public sealed partial class SmtpSessionActor
{
    private const int PumpBlockSize = 64 * 1024;
    private const int KeptPumpBufferLimit = 16 * 1024;

    private DataEncoder? _streamingEncoder;
    private DataEncoder? _oneWriteEncoder;
    private ArrayBufferWriter<byte>? _pumpOutput;
    private bool _transactionUtf8;
    private long _transactionStartedAt; // Stopwatch timestamp; 0 while no transaction runs

    // ---- single commands ----

    private void SendMail(Mail mail)
    {
        SmtpCommand command;
        try
        {
            var path = SenderPath(mail.Sender);
            var parameters = CheckMailParameters(path, mail.Parameters, contentLength: null, utf8Recipients: false);
            command = mail.Verb switch
            {
                MailVerb.Send => SmtpCommand.Send(path),
                MailVerb.SendOrMail => SmtpCommand.SendOrMail(path),
                MailVerb.SendAndMail => SmtpCommand.SendAndMail(path),
                _ => SmtpCommand.MailFrom(path, parameters),
            };
            _transactionUtf8 = parameters?.SmtpUtf8 == true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            FinishWithFailure(e, Ready);
            return;
        }
        Exchange(command, reply =>
        {
            if (reply.IsPositiveCompletion)
            {
                EndTransactionState();
                FinishWith(reply, InTransaction);
            }
            else
            {
                FinishWith(reply, Ready);
            }
        });
    }

    private void SendRecipient(Recipient recipient)
    {
        SmtpCommand command;
        try
        {
            command = RecipientCommand(recipient.Address, recipient.Parameters, _transactionUtf8);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            FinishWithFailure(e, InTransaction);
            return;
        }
        Exchange(command, reply =>
        {
            if (reply.IsPositiveCompletion)
            {
                _acceptedRecipients++;
            }
            FinishWith(reply, InTransaction);
        });
    }

    private void SendData(MessageContent content)
    {
        Exchange(SmtpCommand.Data(), reply =>
        {
            if (reply.Code != 354)
            {
                FinishWith(reply, InTransaction);
                return;
            }
            PumpContent(content, final =>
            {
                EndTransactionState();
                FinishWith(final, Ready);
            });
        });
    }

    private void StartStreamingData()
    {
        Exchange(SmtpCommand.Data(), reply =>
        {
            if (reply.Code == 354)
            {
                _streamingEncoder = new DataEncoder();
                FinishWith(reply, InData);
            }
            else
            {
                FinishWith(reply, InTransaction);
            }
        });
    }

    private void SendDataChunk(ReadOnlyMemory<byte> chunk)
    {
        var encoder = _streamingEncoder!;
        var output = new ArrayBufferWriter<byte>(DataEncoder.MaxOutputLength(chunk.Length));
        encoder.Encode(chunk.Span, output);
        Wire.Write(output.WrittenMemory, () => FinishWith(new DataWritten(encoder.BytesOut), InData));
    }

    private void EndStreamingData()
    {
        var encoder = _streamingEncoder!;
        _streamingEncoder = null;
        var output = new ArrayBufferWriter<byte>(8);
        encoder.Complete(output);
        Transcript?.Write(TranscriptDirection.Client, $"<{encoder.BytesOut} octets of content>");
        Transcript?.Write(TranscriptDirection.Client, ".");
        Wire.Write(output.WrittenMemory, () => Expect("DOT", final =>
        {
            EndTransactionState();
            FinishWith(final, Ready);
        }));
    }

    private void SendBdatChunk(Bdat bdat)
    {
        if (!_capabilities.Chunking)
        {
            FinishWithFailure(new MailNotSupportedException("CHUNKING", "The server did not advertise CHUNKING; BDAT is not available."), InTransaction);
            return;
        }
        WriteBdatChunk(bdat.Chunk, bdat.Last, reply =>
        {
            if (reply.IsPositiveCompletion && bdat.Last)
            {
                EndTransactionState();
                FinishWith(reply, Ready);
                return;
            }
            // After a refused chunk RFC 3030 forbids further chunks; only RSET or QUIT make sense.
            _bdatStarted = true;
            FinishWith(reply, InTransaction);
        });
    }

    private void WriteBdatChunk(ReadOnlyMemory<byte> chunk, bool last, Action<SmtpReply> onReply)
    {
        Expect("BDAT", onReply);
        Send(SmtpCommand.Bdat(chunk.Length, last));
        if (chunk.Length > 0)
        {
            Transcript?.Write(TranscriptDirection.Client, $"<{chunk.Length} octets of content>");
            Wire.Write(chunk);
        }
    }

    // ---- the whole transaction ----

    private sealed class TransactionRun(Transaction request, bool chunked, bool pipelined, bool binary)
    {
        public Transaction Request { get; } = request;
        public bool Chunked { get; } = chunked;
        /// <summary>BODY=BINARYMIME: the octets go out exactly as given, with no line ending made CRLF.</summary>
        public bool Binary { get; } = binary;
        public bool Pipelined { get; } = pipelined;
        public SmtpReply? MailReply { get; set; }
        public List<RecipientReply> Recipients { get; } = new(request.Recipients.Count);
        public int Accepted => Recipients.Count(r => r.Accepted);
    }

    /// <summary>A transaction that arrived while another was being served, and who asked for it.</summary>
    private sealed record Successor(Transaction Request, IActorRef Requester);

    /// <summary>A successor whose MAIL/RCPT/DATA already went out right after the current transaction's content.</summary>
    private sealed record SuccessorOnWire(TransactionRun Run, IActorRef Requester);

    // RFC 2920 section 3.1 lets the content of one transaction be followed in the same write by the envelope of the next,
    // so on a reused pipelining connection a message costs one round trip instead of two. _run is the transaction
    // being served; _held the transactions that arrived meanwhile and are not written yet; _onWire one whose envelope
    // went out after _run's content and that becomes _run when _run's final reply arrives. Each is answered exactly
    // once: by its own result, or by the failure that ends the session.
    //
    // Up to two successors (held or on the wire) are kept: the final reply of N and the envelope replies of N+1
    // usually arrive in one read, so N+1's content is written before N's requester could hand over another
    // transaction; for N+1's content to carry N+2's envelope, N+2 must already be here.
    private const int MaxSuccessors = 2;

    private readonly Queue<Successor> _held = new(MaxSuccessors);
    private TransactionRun? _run;
    private SuccessorOnWire? _onWire;

    private void RunTransaction(Transaction request)
    {
        if (!TryPrepareTransaction(request, out var run, out var group, out var error))
        {
            FinishWithFailure(error, Ready);
            return;
        }
        _run = run;
        StartTransactionDeadline();
        if (run.Pipelined)
        {
            ExpectEnvelopeReplies(run);
            SendGroup(group);
        }
        else
        {
            Exchange(group[0], reply =>
            {
                run.MailReply = reply;
                if (!reply.IsPositiveCompletion)
                {
                    CompleteTransaction(run, null, needsReset: false);
                    return;
                }
                SendRecipientsInTurn(run, group, 1);
            });
        }
    }

    /// <summary>
    /// Checks a transaction's envelope against the server's extensions and builds its commands: MAIL, the RCPTs and,
    /// when pipelined without chunking, DATA. Nothing is written.
    /// </summary>
    private bool TryPrepareTransaction(Transaction request, out TransactionRun run, out List<SmtpCommand> commands, [NotNullWhen(false)] out Exception? error)
    {
        var declared = DeclareBody(request);
        var binary = declared?.Body == BodyType.BinaryMime;
        var chunked = _capabilities.Chunking && (_settings.PreferChunking || binary);
        var pipelined = _settings.UsePipelining && _capabilities.Pipelining;
        run = new TransactionRun(request, chunked, pipelined, binary);
        commands = new List<SmtpCommand>(request.Recipients.Count + 2);
        error = null;
        try
        {
            if (request.Recipients.Count == 0)
            {
                throw new ArgumentException("A transaction needs at least one recipient.", nameof(request));
            }
            var path = SenderPath(request.Sender);
            // SIZE= is the message as transmitted (RFC 1870), worked out only when it is declared or checked.
            var size = declared?.Size is null && SizeOffered ? request.Content.TransmittedLength(chunked, binary) : null;
            var parameters = CheckMailParameters(path, declared, size, AnyNeedsSmtpUtf8(request.Recipients));
            var utf8 = parameters?.SmtpUtf8 == true;
            commands.Add(SmtpCommand.MailFrom(path, parameters));
            foreach (var recipient in request.Recipients)
            {
                commands.Add(RecipientCommand(recipient.Address, recipient.Parameters, utf8));
            }
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            error = e;
            return false;
        }
        if (pipelined && !chunked)
        {
            commands.Add(SmtpCommand.Data());
        }
        return true;
    }

    /// <summary>Registers the reply handlers of a pipelined envelope group (MAIL, each RCPT, then DATA or the chunks).</summary>
    private void ExpectEnvelopeReplies(TransactionRun run)
    {
        Expect("MAIL", reply => run.MailReply = reply);
        foreach (var recipient in run.Request.Recipients)
        {
            var address = recipient.Address;
            Expect("RCPT", reply => run.Recipients.Add(new RecipientReply(address, reply)));
        }
        if (run.Chunked)
        {
            ExpectLast(() => AfterEnvelope(run));
        }
        else
        {
            Expect("DATA", dataReply => AfterDataCommand(run, dataReply));
        }
    }

    /// <summary>The transaction deadline runs from here; the wire's watchdog checks it (see <see cref="WatchTransactionDeadline"/>).</summary>
    private void StartTransactionDeadline()
    {
        _transactionStartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Wire.KeepWatch();
    }

    /// <summary>
    /// Holds a transaction that arrives while a pipelined one is served, so that its envelope can go out with the
    /// content before it. At most <see cref="MaxSuccessors"/> are kept, and only while nothing else waits in the stash
    /// (the order of commands is kept).
    /// </summary>
    private bool TryHoldSuccessor(Transaction request)
    {
        var successors = _held.Count + (_onWire is null ? 0 : 1);
        if (_run is not { Pipelined: true, Chunked: false } || successors >= MaxSuccessors || !Stash.IsEmpty || Link is null)
        {
            return false;
        }
        _held.Enqueue(new Successor(request, Sender));
        return true;
    }

    /// <summary>
    /// Takes the first held transaction to be written after <paramref name="content"/>, when that content goes out in one
    /// write and the held envelope is valid and pipelined without chunking. Otherwise it stays held and is served in
    /// the usual way once the current transaction is over (where an invalid envelope gets its own answer).
    /// </summary>
    private (TransactionRun Run, List<SmtpCommand> Commands, IActorRef Requester)? TakeSuccessorFor(MessageContent content)
    {
        if (!_held.TryPeek(out var held) || _onWire is not null || !FitsOneWrite(content))
        {
            return null;
        }
        if (!TryPrepareTransaction(held.Request, out var run, out var commands, out _) || !run.Pipelined || run.Chunked)
        {
            return null;
        }
        _held.Dequeue();
        return (run, commands, held.Requester);
    }

    /// <summary>
    /// Content written in one go, which the next transaction's envelope can ride along with. Callers that queue several
    /// messages on one session (the Mailer's route pool) only add to a session whose messages all fit one write, so
    /// nothing waits behind a long transfer while another session could take it.
    /// </summary>
    internal static bool FitsOneWrite(MessageContent content) => content.IsInMemory && content.Bytes.Length <= PumpBlockSize;

    /// <summary>The current transaction got its final reply and its successor is on the wire: serve that one now.</summary>
    private void ContinueWithSuccessor(SuccessorOnWire next)
    {
        _onWire = null;
        _run = next.Run;
        Requester = next.Requester;
        StartTransactionDeadline();
    }

    /// <summary>Lets held transactions be served in the usual way, in order, ahead of whatever waits in the stash.</summary>
    private void ReleaseHeldSuccessors()
    {
        if (_held.Count == 0)
        {
            return;
        }
        Stash.Prepend(_held.Select(held => new Envelope(held.Request, held.Requester)).ToList());
        _held.Clear();
    }

    /// <summary>The session is ending: the successor on the wire will get no replies, so it gets the failure.</summary>
    private void FailSuccessorOnWire(Exception error)
    {
        if (_onWire is { } orphan)
        {
            _onWire = null;
            orphan.Requester.Tell(new Status.Failure(error));
        }
    }

    /// <summary>Runs <paramref name="then"/> after the reply handlers queued so far.</summary>
    private void ExpectLast(Action then) => Wire.AfterPending(then);

    /// <summary>Without PIPELINING: one RCPT at a time; <paramref name="index"/> counts from 1 (commands[0] is MAIL).</summary>
    private void SendRecipientsInTurn(TransactionRun run, List<SmtpCommand> commands, int index)
    {
        if (index == commands.Count)
        {
            AfterEnvelope(run);
            return;
        }
        var address = run.Request.Recipients[index - 1].Address;
        Exchange(commands[index], reply =>
        {
            run.Recipients.Add(new RecipientReply(address, reply));
            SendRecipientsInTurn(run, commands, index + 1);
        });
    }

    /// <summary>MAIL and every RCPT have their replies; send the content if anybody took it.</summary>
    private void AfterEnvelope(TransactionRun run)
    {
        if (run.MailReply is not { IsPositiveCompletion: true })
        {
            CompleteTransaction(run, null, needsReset: false);
            return;
        }
        if (run.Accepted == 0)
        {
            CompleteTransaction(run, null, needsReset: true);
            return;
        }
        if (run.Chunked)
        {
            StreamBdatChunks(run);
            return;
        }
        Exchange(SmtpCommand.Data(), dataReply => AfterDataCommand(run, dataReply));
    }

    private void AfterDataCommand(TransactionRun run, SmtpReply dataReply)
    {
        if (dataReply.Code != 354)
        {
            CompleteTransaction(run, dataReply, needsReset: run.MailReply!.IsPositiveCompletion);
            return;
        }
        if (run.Accepted == 0 || run.MailReply is not { IsPositiveCompletion: true })
        {
            // A pipelining server said 354 although nobody will receive the message: end the empty DATA at once.
            Send(SmtpCommand.Raw("."));
            Expect(null, final => CompleteTransaction(run, final, needsReset: true));
            return;
        }
        PumpContent(run.Request.Content, final => CompleteTransaction(run, final, needsReset: !final.IsPositiveCompletion), TakeSuccessorFor(run.Request.Content));
    }

    private void StreamBdatChunks(TransactionRun run)
    {
        var chunker = new BdatChunker(_settings.ChunkSize, normalizeLineEndings: !run.Binary);
        var stream = run.Request.Content.Open();
        var chunks = chunker.ChunkAsync(stream).GetAsyncEnumerator();

        void Next()
        {
            Wire.Await(chunks.MoveNextAsync().AsTask(), hasChunk =>
            {
                if (!hasChunk)
                {
                    Done(null);
                    return;
                }
                var chunk = chunks.Current;
                // The chunk's buffer is reused by the next MoveNext; that only happens after the server replied to
                // this chunk, which it cannot do before every byte of it left our buffers.
                WriteBdatChunk(chunk.Data, chunk.IsLast, reply =>
                {
                    if (!reply.IsPositiveCompletion || chunk.IsLast)
                    {
                        Done(reply);
                        return;
                    }
                    Next();
                });
            });
        }

        void Done(SmtpReply? final)
        {
            _ = chunks.DisposeAsync().AsTask().ContinueWith(_ => stream.Dispose(), TaskScheduler.Default);
            CompleteTransaction(run, final, needsReset: final is not { IsPositiveCompletion: true });
        }

        Next();
    }

    private void CompleteTransaction(TransactionRun run, SmtpReply? final, bool needsReset)
    {
        var result = new TransactionResult(run.MailReply!, run.Recipients, final, run.Chunked);
        void Finish()
        {
            _transactionStartedAt = 0;
            EndTransactionState();
            _run = null;
            if (_onWire is { } next)
            {
                // The successor's replies follow on the wire: answer this requester and go straight on with the next.
                Requester.Tell(result);
                ContinueWithSuccessor(next);
                return;
            }
            FinishWith(result, Ready);
        }
        // After the final reply to the content the transaction is over anyway (RFC 5321 4.1.1.4); the RSET that tidies
        // up after a refused message is left out when the next envelope is already on the wire, since it would reset that.
        if (needsReset && _onWire is null && Link is not null && _lastReply?.Code != 421)
        {
            Exchange(SmtpCommand.Rset(), _ => Finish());
        }
        else
        {
            Finish();
        }
    }

    // ---- content ----

    /// <summary>
    /// Writes the content through the DATA encoder (CRLF, dot-stuffing, final dot), then awaits the final reply. A
    /// <paramref name="successor"/> (only for content that fits one write) has its envelope appended to the same write.
    /// </summary>
    private void PumpContent(MessageContent content, Action<SmtpReply> onFinal,
        (TransactionRun Run, List<SmtpCommand> Commands, IActorRef Requester)? successor = null)
    {
        if (FitsOneWrite(content))
        {
            // The common case at high volume: encode into one pooled buffer and write it, final dot included, at once
            // (with the session's one encoder: it is done with before this method returns).
            var encoder = _oneWriteEncoder ??= new DataEncoder();
            encoder.Reset();
            var output = new PooledBufferWriter(DataEncoder.MaxOutputLength(content.Bytes.Length));
            encoder.Encode(content.Bytes.Span, output);
            encoder.Complete(output);
            Transcript?.Write(TranscriptDirection.Client, $"<{encoder.BytesOut} octets of content>");
            Transcript?.Write(TranscriptDirection.Client, ".");
            // Expecting before the write starts lets the reply timeout guard the write as well.
            Expect("DOT", onFinal);
            if (successor is var (run, commands, requester))
            {
                // RFC 2920 3.1: the content may be the first "command" of a group. The next envelope's replies come
                // after the final reply to this content, in the order the handlers are registered here.
                foreach (var command in commands)
                {
                    Transcript?.Write(TranscriptDirection.Client, command.ToTranscript());
                    command.WriteTo(output);
                }
                _onWire = new SuccessorOnWire(run, requester);
                ExpectEnvelopeReplies(run);
            }
            Wire.Write(output.WrittenMemory, output.Dispose);
            return;
        }
        var timeout = _settings.CommandTimeout;
        Wire.WritePump((stream, _) => PumpDataAsync(content, stream, timeout), () => Expect("DOT", onFinal));
    }

    private async Task<long> PumpDataAsync(MessageContent content, Stream network, TimeSpan stallTimeout)
    {
        var encoder = new DataEncoder();
        // High-volume senders pump many small messages: the output buffer is sized for the content and kept for the
        // next message when small (one pump runs at a time per session; the next starts after this one's WriteCompleted).
        var expected = (int)Math.Min(PumpBlockSize, content.Length ?? PumpBlockSize);
        var output = _pumpOutput is { } kept && kept.Capacity >= DataEncoder.MaxOutputLength(expected) ? kept
            : new ArrayBufferWriter<byte>(DataEncoder.MaxOutputLength(expected) + 8);
        _pumpOutput = null;
        output.ResetWrittenCount();
        using var stall = new CancellationTokenSource();
        if (content.IsInMemory)
        {
            var bytes = content.Bytes;
            for (var offset = 0; offset < bytes.Length; offset += PumpBlockSize)
            {
                encoder.Encode(bytes.Span.Slice(offset, Math.Min(PumpBlockSize, bytes.Length - offset)), output);
                if (output.WrittenCount >= PumpBlockSize)
                {
                    await FlushAsync(network, output, stall, stallTimeout).ConfigureAwait(false);
                }
            }
        }
        else
        {
            var block = ArrayPool<byte>.Shared.Rent(PumpBlockSize);
            try
            {
                await using var source = content.Open();
                int read;
                while ((read = await ReadContentAsync(source, block).ConfigureAwait(false)) > 0)
                {
                    encoder.Encode(block.AsSpan(0, read), output);
                    if (output.WrittenCount >= PumpBlockSize)
                    {
                        await FlushAsync(network, output, stall, stallTimeout).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }
        encoder.Complete(output);
        await FlushAsync(network, output, stall, stallTimeout).ConfigureAwait(false);
        if (output.Capacity <= KeptPumpBufferLimit)
        {
            _pumpOutput = output;
        }
        Transcript?.Write(TranscriptDirection.Client, $"<{encoder.BytesOut} octets of content>");
        Transcript?.Write(TranscriptDirection.Client, ".");
        return encoder.BytesOut;
    }

    private static async Task<int> ReadContentAsync(Stream source, byte[] block)
    {
        try
        {
            return await source.ReadAsync(block.AsMemory(0, PumpBlockSize)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new MailContentException("Reading the message content failed: " + e.Message, e);
        }
    }

    private static async Task FlushAsync(Stream network, ArrayBufferWriter<byte> output, CancellationTokenSource stall, TimeSpan stallTimeout)
    {
        if (output.WrittenCount == 0)
        {
            return;
        }
        stall.CancelAfter(stallTimeout); // a write that makes no progress for a whole command timeout ends the session
        await network.WriteAsync(output.WrittenMemory, stall.Token).ConfigureAwait(false);
        output.ResetWrittenCount();
    }

    // ---- addresses and parameters ----

    private string SenderPath(string sender) => SmtpPath.ToPath(sender, _settings.ExactAddresses);

    private SmtpCommand RecipientCommand(string address, RecipientParameters? parameters, bool utf8Transaction)
    {
        var path = SmtpPath.ToRecipientPath(address, _settings.ExactAddresses);
        if (SmtpPath.RequiresSmtpUtf8(path) && !utf8Transaction)
        {
            throw new MailNotSupportedException("SMTPUTF8", $"The recipient {path} needs SMTPUTF8, which this transaction did not declare (the server {(_capabilities.SmtpUtf8 ? "offers" : "does not offer")} it).");
        }
        if (parameters is not null && (parameters.Notify != DsnNotify.None || parameters.OriginalRecipient is not null || parameters.OriginalRecipientRaw is not null))
        {
            Require(_capabilities.Dsn, "DSN", "NOTIFY/ORCPT");
        }
        return SmtpCommand.RcptTo(path, parameters);
    }

    // A bare SIZE keyword (no limit, as Postfix says with message_size_limit = 0) still takes the parameter.
    private bool SizeOffered => _capabilities.MaxSize is not null || _capabilities.Supports("SIZE");

    /// <summary>
    /// Checks MAIL parameters against what the server advertised; adds SIZE and SMTPUTF8 where they are implied.
    /// <paramref name="contentLength"/> is the size as transmitted (see <see cref="MessageContent.TransmittedLength"/>).
    /// </summary>
    private MailParameters? CheckMailParameters(string senderPath, MailParameters? parameters, long? contentLength, bool utf8Recipients)
    {
        var p = parameters ?? NoMailParameters;
        if (_capabilities.MaxSize is > 0 and var max && (p.Size ?? contentLength) is { } size && size > max)
        {
            throw new MailNotSupportedException("SIZE", $"The message is {size} octets, over the server's SIZE limit of {max}.");
        }
        var sizeOffered = SizeOffered;
        if (p.Size is null && contentLength is { } length && sizeOffered)
        {
            p = p with { Size = length };
        }
        else if (p.Size is not null && !sizeOffered)
        {
            p = p with { Size = null }; // SIZE is informative; Net::SMTP drops it too when not advertised
        }
        if ((utf8Recipients || SmtpPath.RequiresSmtpUtf8(senderPath)) && !p.SmtpUtf8)
        {
            p = p with { SmtpUtf8 = true };
        }
        if (p.SmtpUtf8)
        {
            Require(_capabilities.SmtpUtf8, "SMTPUTF8", "internationalised addresses");
        }
        switch (p.Body)
        {
            case BodyType.EightBitMime:
                Require(_capabilities.EightBitMime, "8BITMIME", "8-bit content");
                break;
            case BodyType.BinaryMime:
                Require(_capabilities.BinaryMime && _capabilities.Chunking, "BINARYMIME", "binary content");
                break;
        }
        if (p.Return is not null || p.EnvelopeId is not null || p.EnvelopeIdRaw is not null)
        {
            Require(_capabilities.Dsn, "DSN", "RET/ENVID");
        }
        if (p.Auth is not null || p.AuthRaw is not null)
        {
            Require(_capabilities.Supports("AUTH"), "AUTH", "AUTH=");
        }
        if (p.TransactionId is not null)
        {
            Require(_capabilities.Supports("CHECKPOINT"), "CHECKPOINT", "TRANSID");
        }
        if (p.Xverp)
        {
            Require(_capabilities.Supports("XVERP"), "XVERP", "XVERP");
        }
        return ReferenceEquals(p, NoMailParameters) ? null : p;
    }

    // A transaction knows all its recipients before MAIL: one whose forward-path is UTF-8 makes the whole transaction
    // SMTPUTF8. The path, not the text: a non-ASCII display name ("Zoë <zoe@example.test>") needs nothing. ASCII text
    // gives an ASCII path, so only non-ASCII text is turned into its path.
    private bool AnyNeedsSmtpUtf8(IReadOnlyList<TransactionRecipient> recipients)
    {
        for (var i = 0; i < recipients.Count; i++)
        {
            var address = recipients[i].Address;
            if (SmtpPath.RequiresSmtpUtf8(address) && SmtpPath.RequiresSmtpUtf8(SmtpPath.ToRecipientPath(address, _settings.ExactAddresses)))
            {
                return true;
            }
        }
        return false;
    }

    // Shared and immutable (a record changed only through `with`): most messages carry no parameters of their own.
    private static readonly MailParameters NoMailParameters = new();

    /// <summary>For content in memory without a declared BODY, declares what the octets need (or refuses early).</summary>
    private MailParameters? DeclareBody(Transaction request)
    {
        if (request.Parameters?.Body is not null || !request.Content.IsInMemory)
        {
            return request.Parameters;
        }
        var body = request.Content.RequiredBody;
        return body is null ? request.Parameters : (request.Parameters ?? NoMailParameters) with { Body = body };
    }

    private void Require(bool offered, string extension, string what)
    {
        if (!offered)
        {
            throw new MailNotSupportedException(extension, $"{what} needs the {extension} extension, which {Link?.Host.ToString() ?? "the server"} did not advertise.");
        }
    }
}
