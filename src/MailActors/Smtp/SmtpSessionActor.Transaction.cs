using System.Buffers;
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
    private ArrayBufferWriter<byte>? _pumpOutput;
    private bool _transactionUtf8;
    private long _transactionGeneration;

    // ---- single commands ----

    private void SendMail(Mail mail)
    {
        SmtpCommand command;
        try
        {
            var path = SenderPath(mail.Sender);
            var parameters = CheckMailParameters(path, mail.Parameters, contentLength: null);
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
        Wire.Write(output.WrittenMemory, () => Expect(Timed("DOT", final =>
        {
            EndTransactionState();
            FinishWith(final, Ready);
        })));
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
        Expect(Timed("BDAT", onReply));
        Send(SmtpCommand.Bdat(chunk.Length, last));
        if (chunk.Length > 0)
        {
            Transcript?.Write(TranscriptDirection.Client, $"<{chunk.Length} octets of content>");
            Wire.Write(chunk);
        }
    }

    // ---- the whole transaction ----

    private sealed class TransactionRun(Transaction request, bool chunked)
    {
        public Transaction Request { get; } = request;
        public bool Chunked { get; } = chunked;
        public SmtpReply? MailReply { get; set; }
        public List<RecipientReply> Recipients { get; } = new(request.Recipients.Count);
        public int Accepted => Recipients.Count(r => r.Accepted);
    }

    private void RunTransaction(Transaction request)
    {
        var declared = DeclareBody(request);
        var chunked = _capabilities.Chunking && (_settings.PreferChunking || declared?.Body == BodyType.BinaryMime);
        var run = new TransactionRun(request, chunked);
        SmtpCommand mail;
        var recipients = new List<SmtpCommand>(request.Recipients.Count);
        try
        {
            if (request.Recipients.Count == 0)
            {
                throw new ArgumentException("A transaction needs at least one recipient.", nameof(request));
            }
            var path = SenderPath(request.Sender);
            var parameters = CheckMailParameters(path, declared, request.Content.Length);
            var utf8 = parameters?.SmtpUtf8 == true;
            mail = SmtpCommand.MailFrom(path, parameters);
            foreach (var recipient in request.Recipients)
            {
                recipients.Add(RecipientCommand(recipient.Address, recipient.Parameters, utf8));
            }
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            FinishWithFailure(e, Ready);
            return;
        }

        Timers.StartSingleTimer(TransactionTimerKey, new TransactionDeadline(++_transactionGeneration), _settings.TransactionTimeout);
        var pipelined = _settings.UsePipelining && _capabilities.Pipelining;
        if (pipelined)
        {
            var group = new List<SmtpCommand>(recipients.Count + 2) { mail };
            group.AddRange(recipients);
            if (!chunked)
            {
                group.Add(SmtpCommand.Data());
            }
            Expect(Timed("MAIL", reply => run.MailReply = reply));
            for (var i = 0; i < recipients.Count; i++)
            {
                var address = request.Recipients[i].Address;
                Expect(Timed("RCPT", reply => run.Recipients.Add(new RecipientReply(address, reply))));
            }
            if (chunked)
            {
                ExpectLast(() => AfterEnvelope(run));
            }
            else
            {
                Expect(Timed("DATA", dataReply => AfterDataCommand(run, dataReply)));
            }
            SendGroup(group);
        }
        else
        {
            Exchange(mail, reply =>
            {
                run.MailReply = reply;
                if (!reply.IsPositiveCompletion)
                {
                    CompleteTransaction(run, null, needsReset: false);
                    return;
                }
                SendRecipientsInTurn(run, recipients, 0);
            });
        }
    }

    /// <summary>Runs <paramref name="then"/> after the reply handlers queued so far.</summary>
    private void ExpectLast(Action then) => Wire.AfterPending(then);

    private void SendRecipientsInTurn(TransactionRun run, List<SmtpCommand> recipients, int index)
    {
        if (index == recipients.Count)
        {
            AfterEnvelope(run);
            return;
        }
        var address = run.Request.Recipients[index].Address;
        Exchange(recipients[index], reply =>
        {
            run.Recipients.Add(new RecipientReply(address, reply));
            SendRecipientsInTurn(run, recipients, index + 1);
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
            Expect(final => CompleteTransaction(run, final, needsReset: true));
            return;
        }
        PumpContent(run.Request.Content, final => CompleteTransaction(run, final, needsReset: !final.IsPositiveCompletion));
    }

    private void StreamBdatChunks(TransactionRun run)
    {
        var chunker = new BdatChunker(_settings.ChunkSize);
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
            Timers.Cancel(TransactionTimerKey);
            _transactionGeneration++;
            EndTransactionState();
            FinishWith(result, Ready);
        }
        if (needsReset && Link is not null && _lastReply?.Code != 421)
        {
            Exchange(SmtpCommand.Rset(), _ => Finish());
        }
        else
        {
            Finish();
        }
    }

    // ---- content ----

    /// <summary>Writes the content through the DATA encoder (CRLF, dot-stuffing, final dot), then awaits the final reply.</summary>
    private void PumpContent(MessageContent content, Action<SmtpReply> onFinal)
    {
        if (content.IsInMemory && content.Bytes.Length <= PumpBlockSize)
        {
            // The common case at high volume: encode into one pooled buffer and write it, final dot included, at once.
            var encoder = new DataEncoder();
            var output = new PooledBufferWriter(DataEncoder.MaxOutputLength(content.Bytes.Length));
            encoder.Encode(content.Bytes.Span, output);
            encoder.Complete(output);
            Transcript?.Write(TranscriptDirection.Client, $"<{encoder.BytesOut} octets of content>");
            Transcript?.Write(TranscriptDirection.Client, ".");
            // Expecting before the write starts lets the reply timer guard the write as well.
            Expect(Timed("DOT", onFinal));
            Wire.Write(output.WrittenMemory, output.Dispose);
            return;
        }
        var timeout = _settings.CommandTimeout;
        Wire.WritePump((stream, _) => PumpDataAsync(content, stream, timeout), () => Expect(Timed("DOT", onFinal)));
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

    private string SenderPath(string sender)
    {
        var trimmed = sender.Trim();
        return trimmed.Length == 0 || trimmed == "<>" ? "<>" : SmtpPath.ToPath(sender, _settings.ExactAddresses);
    }

    private SmtpCommand RecipientCommand(string address, RecipientParameters? parameters, bool utf8Transaction)
    {
        var path = SmtpPath.ToPath(address, _settings.ExactAddresses);
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

    /// <summary>Checks MAIL parameters against what the server advertised; adds SIZE and SMTPUTF8 where they are implied.</summary>
    private MailParameters? CheckMailParameters(string senderPath, MailParameters? parameters, long? contentLength)
    {
        var p = parameters ?? new MailParameters();
        if (_capabilities.MaxSize is > 0 and var max && (p.Size ?? contentLength) is { } size && size > max)
        {
            throw new MailNotSupportedException("SIZE", $"The message is {size} octets, over the server's SIZE limit of {max}.");
        }
        if (p.Size is null && contentLength is { } length && _capabilities.MaxSize is not null)
        {
            p = p with { Size = length };
        }
        else if (p.Size is not null && _capabilities.MaxSize is null)
        {
            p = p with { Size = null }; // SIZE is informative; Net::SMTP drops it too when not advertised
        }
        if (SmtpPath.RequiresSmtpUtf8(senderPath) && !p.SmtpUtf8)
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
        if (p.Return is not null || p.EnvelopeId is not null)
        {
            Require(_capabilities.Dsn, "DSN", "RET/ENVID");
        }
        if (p.Auth is not null)
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
        return p;
    }

    /// <summary>For content in memory without a declared BODY, declares what the octets need (or refuses early).</summary>
    private MailParameters? DeclareBody(Transaction request)
    {
        if (request.Parameters?.Body is not null || !request.Content.IsInMemory)
        {
            return request.Parameters;
        }
        var body = ContentInspector.Inspect(request.Content.Bytes.Span) switch
        {
            ContentKind.EightBit => BodyType.EightBitMime,
            ContentKind.Binary => BodyType.BinaryMime,
            _ => (BodyType?)null,
        };
        return body is null ? request.Parameters : (request.Parameters ?? new MailParameters()) with { Body = body };
    }

    private void Require(bool offered, string extension, string what)
    {
        if (!offered)
        {
            throw new MailNotSupportedException(extension, $"{what} needs the {extension} extension, which {Link?.Host.ToString() ?? "the server"} did not advertise.");
        }
    }
}
