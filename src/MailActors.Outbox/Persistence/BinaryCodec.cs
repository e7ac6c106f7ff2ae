using System.Text;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.Persistence;

/// <summary>Writers and readers for the pieces events and snapshots share (length-prefixed UTF-8, nullable values, replies).</summary>
internal static class BinaryCodec
{
    public static BinaryWriter Writer(Stream stream) => new(stream, Encoding.UTF8, leaveOpen: true);

    /// <summary>
    /// Runs <paramref name="write"/> twice: once to measure, once into an array of exactly that size. Group commits
    /// and snapshots run to megabytes; a growing stream and its <c>ToArray</c> allocated and zeroed each of them up to
    /// three times on the large-object heap, which drove most of the outbox's full garbage collections.
    /// <paramref name="write"/> must write the same bytes both times.
    /// </summary>
    public static byte[] Encode(Action<BinaryWriter> write)
    {
        var counter = new LengthCountingStream();
        using (var measuring = Writer(counter))
        {
            write(measuring);
        }
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)counter.Length));
        using var target = new MemoryStream(bytes, writable: true);
        using (var writer = Writer(target))
        {
            write(writer);
        }
        if (target.Position != bytes.Length)
        {
            throw new InvalidOperationException($"The encoding wrote {target.Position} bytes after measuring {bytes.Length}.");
        }
        return bytes;
    }

    public static BinaryReader Reader(byte[] bytes) => new(new MemoryStream(bytes, writable: false), Encoding.UTF8);

    public static void WriteNullable(this BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    public static string? ReadNullableString(this BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    public static void Write(this BinaryWriter writer, DateTime value) => writer.Write(value.ToUniversalTime().Ticks);

    public static DateTime ReadDateTime(this BinaryReader reader) => new(reader.ReadInt64(), DateTimeKind.Utc);

    public static void WriteNullable(this BinaryWriter writer, DateTime? value)
    {
        writer.Write(value.HasValue);
        if (value is { } v)
        {
            writer.Write(v);
        }
    }

    public static DateTime? ReadNullableDateTime(this BinaryReader reader) => reader.ReadBoolean() ? reader.ReadDateTime() : null;

    public static void WriteNullable(this BinaryWriter writer, TimeSpan? value)
    {
        writer.Write(value.HasValue);
        if (value is { } v)
        {
            writer.Write(v.Ticks);
        }
    }

    public static TimeSpan? ReadNullableTimeSpan(this BinaryReader reader) => reader.ReadBoolean() ? TimeSpan.FromTicks(reader.ReadInt64()) : null;

    public static void WriteStrings(this BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write7BitEncodedInt(values.Count);
        for (var i = 0; i < values.Count; i++) // not foreach: an interface enumerator per list, for every event written
        {
            writer.Write(values[i]);
        }
    }

    public static string[] ReadStrings(this BinaryReader reader)
    {
        var values = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString();
        }
        return values;
    }

    public static void WriteBytes(this BinaryWriter writer, ReadOnlyMemory<byte> bytes)
    {
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes.Span);
    }

    public static byte[] ReadBytes(this BinaryReader reader) => reader.ReadBytes(reader.Read7BitEncodedInt());

    public static void WriteNullable(this BinaryWriter writer, SmtpReply? reply)
    {
        writer.Write(reply is not null);
        if (reply is not null)
        {
            writer.Write((short)reply.Code);
            writer.WriteStrings(reply.Lines);
        }
    }

    public static SmtpReply? ReadNullableReply(this BinaryReader reader) =>
        reader.ReadBoolean() ? new SmtpReply(reader.ReadInt16(), reader.ReadStrings()) : null;

    public static void WriteNullable(this BinaryWriter writer, MailParameters? parameters)
    {
        writer.Write(parameters is not null);
        if (parameters is null)
        {
            return;
        }
        writer.Write((sbyte)(parameters.Return is { } ret ? (int)ret : -1));
        writer.Write((sbyte)(parameters.Body is { } body ? (int)body : -1));
        writer.WriteNullable(parameters.EnvelopeId);
        writer.WriteNullable(parameters.Auth);
        writer.Write(parameters.Xverp);
        writer.Write(parameters.SmtpUtf8);
        writer.WriteNullable(parameters.TransactionId);
        writer.WriteStrings(parameters.Extra);
    }

    public static MailParameters? ReadNullableMailParameters(this BinaryReader reader)
    {
        if (!reader.ReadBoolean())
        {
            return null;
        }
        var ret = reader.ReadSByte();
        var body = reader.ReadSByte();
        return new MailParameters
        {
            Return = ret < 0 ? null : (DsnReturn)ret,
            Body = body < 0 ? null : (BodyType)body,
            EnvelopeId = reader.ReadNullableString(),
            Auth = reader.ReadNullableString(),
            Xverp = reader.ReadBoolean(),
            SmtpUtf8 = reader.ReadBoolean(),
            TransactionId = reader.ReadNullableString(),
            Extra = reader.ReadStrings(),
        };
    }

    public static void WriteNullable(this BinaryWriter writer, RecipientParameters? parameters)
    {
        writer.Write(parameters is not null);
        if (parameters is not null)
        {
            writer.Write((byte)parameters.Notify);
            writer.WriteNullable(parameters.OriginalRecipient);
            writer.WriteNullable(parameters.OriginalRecipientRaw);
        }
    }

    public static RecipientParameters? ReadNullableRecipientParameters(this BinaryReader reader) =>
        reader.ReadBoolean()
            ? new RecipientParameters { Notify = (DsnNotify)reader.ReadByte(), OriginalRecipient = reader.ReadNullableString(), OriginalRecipientRaw = reader.ReadNullableString() }
            : null;

    /// <summary>
    /// Writes an envelope; <paramref name="withPerRecipient"/> (the newer format) appends the per-recipient parameters,
    /// ordered by address so that equal envelopes give equal bytes.
    /// </summary>
    public static void Write(this BinaryWriter writer, StoredEnvelope envelope, bool withPerRecipient)
    {
        writer.Write(envelope.Sender);
        writer.WriteStrings(envelope.Recipients);
        writer.WriteNullable(envelope.Route);
        writer.WriteNullable(envelope.Parameters);
        writer.WriteNullable(envelope.RecipientParameters);
        if (!withPerRecipient)
        {
            return;
        }
        var own = envelope.PerRecipientParameters ?? new Dictionary<string, RecipientParameters>();
        writer.Write7BitEncodedInt(own.Count);
        foreach (var (address, parameters) in own.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.Write(address);
            writer.WriteNullable(parameters);
        }
    }

    public static StoredEnvelope ReadEnvelope(this BinaryReader reader, bool withPerRecipient)
    {
        var envelope = new StoredEnvelope(reader.ReadString(), reader.ReadStrings(), reader.ReadNullableString(), reader.ReadNullableMailParameters(), reader.ReadNullableRecipientParameters());
        if (!withPerRecipient)
        {
            return envelope;
        }
        var count = reader.Read7BitEncodedInt();
        if (count == 0)
        {
            return envelope;
        }
        var own = new Dictionary<string, RecipientParameters>(count, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < count; i++)
        {
            var address = reader.ReadString();
            own[address] = reader.ReadNullableRecipientParameters() ?? new RecipientParameters();
        }
        return envelope with { PerRecipientParameters = own };
    }

    public static void WriteNullable(this BinaryWriter writer, RetryOverride? retry)
    {
        writer.Write(retry is not null);
        if (retry is not null)
        {
            writer.WriteNullable(retry.BaseDelay);
            writer.WriteNullable(retry.MaxDelay);
            writer.WriteNullable(retry.MaxAge);
        }
    }

    public static RetryOverride? ReadNullableRetry(this BinaryReader reader) =>
        reader.ReadBoolean() ? new RetryOverride(reader.ReadNullableTimeSpan(), reader.ReadNullableTimeSpan(), reader.ReadNullableTimeSpan()) : null;
}
