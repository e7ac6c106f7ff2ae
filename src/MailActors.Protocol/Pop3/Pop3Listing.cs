using System.Globalization;
using MailActors.Protocol.Pop3.Internal;

namespace MailActors.Protocol.Pop3;

/// <summary>
/// Parsers for the numeric answers of POP3: STAT's <c>count size</c>, LIST's scan listings <c>n size</c> and UIDL's
/// <c>n uid</c> (RFC 1939 §5, §7). Text after the required fields is ignored, as RFC 1939 allows; blanks between fields
/// may be spaces or tabs. Anything else is a <see cref="Pop3ProtocolException"/>.
/// </summary>
public static class Pop3Listing
{
    /// <summary>Parses the <c>+OK count size</c> reply to STAT.</summary>
    /// <param name="response">The STAT reply; must be <c>+OK</c>.</param>
    /// <returns>The message count and the maildrop size in octets.</returns>
    public static (int Count, long Size) ParseStat(Pop3Response response)
    {
        string text = RequireOk(response, "STAT");
        string[] fields = Fields(text, "STAT", "count size");
        int count = ParseInt(fields[0], "message count", text, minimum: 0);
        long size = ParseLong(fields[1], "maildrop size", text);
        return (count, size);
    }

    /// <summary>Parses one scan listing <c>n size</c>: a line of the LIST body, or the text of a <c>LIST n</c> reply.</summary>
    /// <param name="line">The line or reply text.</param>
    /// <returns>The message number and its size in octets.</returns>
    public static (int Number, long Size) ParseListLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] fields = Fields(line, "LIST", "number size");
        return (ParseInt(fields[0], "message number", line, minimum: 1), ParseLong(fields[1], "message size", line));
    }

    /// <summary>Parses the <c>+OK n size</c> reply to <c>LIST n</c>.</summary>
    /// <param name="response">The reply; must be <c>+OK</c>.</param>
    /// <returns>The message number and its size in octets.</returns>
    public static (int Number, long Size) ParseList(Pop3Response response) => ParseListLine(RequireOk(response, "LIST"));

    /// <summary>
    /// Parses one unique-id listing <c>n uid</c>: a line of the UIDL body, or the text of a <c>UIDL n</c> reply.
    /// The uid must be printable ASCII (0x21-0x7E); RFC 1939's limit of 70 characters is not enforced, as servers exceed it.
    /// </summary>
    /// <param name="line">The line or reply text.</param>
    /// <returns>The message number and its unique id.</returns>
    public static (int Number, string Uid) ParseUidlLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] fields = Fields(line, "UIDL", "number uid");
        int number = ParseInt(fields[0], "message number", line, minimum: 1);
        string uid = fields[1];
        foreach (char c in uid)
        {
            if (c is < '!' or > '~')
            {
                throw new Pop3ProtocolException(
                    $"The POP3 server sent the UIDL line {Pop3Syntax.Quote(line)}; a unique id must be printable ASCII.");
            }
        }

        return (number, uid);
    }

    /// <summary>Parses the <c>+OK n uid</c> reply to <c>UIDL n</c>.</summary>
    /// <param name="response">The reply; must be <c>+OK</c>.</param>
    /// <returns>The message number and its unique id.</returns>
    public static (int Number, string Uid) ParseUidl(Pop3Response response) => ParseUidlLine(RequireOk(response, "UIDL"));

    /// <summary>
    /// The message count many servers put in the reply to PASS/APOP, such as <c>+OK maildrop has 2 messages (320 octets)</c>,
    /// found as Net::POP3 does: the number before the word "message". Null when the text has no such count, in which case
    /// STAT tells.
    /// </summary>
    /// <param name="response">The login reply.</param>
    /// <returns>The count, or null.</returns>
    public static int? TryParseLoginMessageCount(Pop3Response response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsOk)
        {
            return null;
        }

        string text = response.Text;
        int searchFrom = 0;
        while (true)
        {
            int word = text.IndexOf("message", searchFrom, StringComparison.OrdinalIgnoreCase);
            if (word < 0)
            {
                return null;
            }

            int end = word;
            while (end > 0 && Pop3Syntax.IsBlank(text[end - 1]))
            {
                end--;
            }

            int start = end;
            while (start > 0 && Pop3Syntax.IsAsciiDigit(text[start - 1]))
            {
                start--;
            }

            if (end < word && start < end
                && Pop3Syntax.TryParseUnsigned(text.AsSpan(start, end - start), out long count) && count <= int.MaxValue)
            {
                return (int)count;
            }

            searchFrom = word + 1;
        }
    }

    private static string RequireOk(Pop3Response response, string command)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsOk)
        {
            throw new ArgumentException($"Only a +OK reply to {command} carries a listing; this reply is \"{response}\".", nameof(response));
        }

        return response.Text;
    }

    private static string[] Fields(string line, string command, string expected)
    {
        string[] fields = Pop3Syntax.SplitBlanks(line);
        if (fields.Length < 2)
        {
            throw new Pop3ProtocolException(
                $"The POP3 server sent the {command} line {Pop3Syntax.Quote(line)}; expected \"{expected}\".");
        }

        return fields;
    }

    private static int ParseInt(string field, string what, string line, int minimum)
    {
        if (!Pop3Syntax.TryParseUnsigned(field, out long value) || value > int.MaxValue || value < minimum)
        {
            throw new Pop3ProtocolException(
                $"The POP3 server sent {Pop3Syntax.Quote(line)}; the {what} {Pop3Syntax.Quote(field)} is not a number from "
                + string.Create(CultureInfo.InvariantCulture, $"{minimum} to {int.MaxValue}."));
        }

        return (int)value;
    }

    private static long ParseLong(string field, string what, string line)
    {
        if (!Pop3Syntax.TryParseUnsigned(field, out long value))
        {
            throw new Pop3ProtocolException(
                $"The POP3 server sent {Pop3Syntax.Quote(line)}; the {what} {Pop3Syntax.Quote(field)} is not a non-negative number.");
        }

        return value;
    }
}
