namespace MailActors.Testing;

/// <summary>
/// Base of the protocol sessions: runs each protocol step through the live <see cref="FaultRuleSet"/> and plays the
/// fault that fires (reply instead, disconnect, delay, tarpit, garbage, unterminated multi-line) around the step's
/// normal handling. <typeparamref name="TStep"/> describes a step so it can be executed later or not at all.
/// </summary>
internal abstract class FaultingSession<TStep>(ProtocolChannel channel, FaultRuleSet faults)
{
    private const int LinesPerFlush = 64;

    protected ProtocolChannel Channel { get; } = channel;

    /// <summary>Set when the session must end after the current step (QUIT, 421, a disconnect fault, a tarpitted client gone).</summary>
    protected bool CloseRequested { get; set; }

    /// <summary>Carries out the step normally, writing its reply.</summary>
    protected abstract ValueTask ExecuteAsync(TStep step);

    /// <summary>Writes a fault's verbatim reply text (the protocol decides what it implies, e.g. SMTP 421 closes).</summary>
    protected abstract void WriteFaultReply(string text);

    /// <summary>What precedes the filler of an overlong line, e.g. <c>"250 "</c> or <c>"+OK "</c>.</summary>
    protected abstract string OverlongLinePrefix { get; }

    /// <summary>The first line of a never-ending multi-line reply.</summary>
    protected abstract string UnterminatedFirstLine { get; }

    /// <summary>The <paramref name="index"/>-th line of a never-ending multi-line reply.</summary>
    protected abstract string UnterminatedLine(long index);

    /// <summary>Called when a fault replaces the step's normal handling, so protocol state can follow (e.g. abort a transaction).</summary>
    protected virtual void OnStepSuppressed(TStep step, FaultAction action)
    {
    }

    /// <summary>Runs <paramref name="step"/>, identified to the fault rules by <paramref name="command"/> and <paramref name="argument"/>.</summary>
    protected async ValueTask RunStepAsync(string command, string argument, TStep step)
    {
        var rule = faults.IsEmpty ? null : faults.Evaluate(command, argument);
        if (rule is null)
        {
            await ExecuteAsync(step).ConfigureAwait(false);
            return;
        }

        switch (rule.Action)
        {
            case ReplyFault reply:
                OnStepSuppressed(step, reply);
                WriteFaultReply(reply.Text);
                break;

            case DisconnectFault { Point: DisconnectPoint.BeforeReply } disconnect:
                OnStepSuppressed(step, disconnect);
                await Channel.FlushAsync().ConfigureAwait(false);
                CloseRequested = true;
                break;

            case DisconnectFault { Point: DisconnectPoint.AfterExecutingWithoutReply }:
                var beforeReply = Channel.OutputPosition;
                await ExecuteAsync(step).ConfigureAwait(false);
                Channel.TruncateOutput(beforeReply);
                CloseRequested = true;
                break;

            case DisconnectFault:
                await ExecuteAsync(step).ConfigureAwait(false);
                CloseRequested = true;
                break;

            case DelayFault delay:
                await Channel.FlushAsync().ConfigureAwait(false);
                await Task.Delay(delay.Duration, Channel.Token).ConfigureAwait(false);
                await ExecuteAsync(step).ConfigureAwait(false);
                break;

            case TarpitFault tarpit:
                OnStepSuppressed(step, tarpit);
                await Channel.DrainUntilClosedAsync().ConfigureAwait(false);
                CloseRequested = true;
                break;

            case GarbageFault garbage:
                OnStepSuppressed(step, garbage);
                Channel.Write(garbage.Bytes.Span);
                break;

            case OverlongLineFault overlong:
                OnStepSuppressed(step, overlong);
                WriteOverlongLine(overlong.Length);
                break;

            case UnterminatedMultilineFault unterminated:
                OnStepSuppressed(step, unterminated);
                await WriteUnterminatedAsync(unterminated.LineCount).ConfigureAwait(false);
                break;

            default:
                throw new NotSupportedException($"Unknown fault action {rule.Action.GetType().Name}.");
        }
    }

    private void WriteOverlongLine(int length)
    {
        Span<byte> filler = stackalloc byte[1024];
        filler.Fill((byte)'x');
        Channel.Write(System.Text.Encoding.ASCII.GetBytes(OverlongLinePrefix));
        for (var remaining = length; remaining > 0; remaining -= filler.Length)
        {
            Channel.Write(filler[..Math.Min(remaining, filler.Length)]);
        }

        Channel.Write("\r\n"u8);
    }

    private async ValueTask WriteUnterminatedAsync(int? lineCount)
    {
        Channel.WriteLine(UnterminatedFirstLine);
        for (long index = 1; lineCount is null || index <= lineCount; index++)
        {
            Channel.WriteLine(UnterminatedLine(index));
            if (index % LinesPerFlush == 0)
            {
                // Blocks while the client is not reading: the stream goes on exactly as fast as it is consumed.
                await Channel.FlushAsync().ConfigureAwait(false);
            }
        }

        await Channel.DrainUntilClosedAsync().ConfigureAwait(false);
        CloseRequested = true;
    }
}
