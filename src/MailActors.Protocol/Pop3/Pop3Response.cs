namespace MailActors.Protocol.Pop3;

/// <summary>
/// One POP3 status line: <c>+OK text</c>, <c>-ERR text</c> or a SASL challenge <c>+ base64</c>.
/// </summary>
/// <param name="Status">Which status indicator opened the line.</param>
/// <param name="Text">
/// Everything after the status indicator and the blanks that follow it, with trailing blanks removed;
/// empty when the server sent only the indicator. For <see cref="Pop3StatusKind.Continuation"/> this is the base64 challenge.
/// </param>
public sealed record Pop3Response(Pop3StatusKind Status, string Text)
{
    /// <summary>The text after the status indicator (see the type's description).</summary>
    public string Text { get; init; } = Text ?? throw new ArgumentNullException(nameof(Text));

    /// <summary>True for <c>+OK</c>.</summary>
    public bool IsOk => Status == Pop3StatusKind.Ok;

    /// <summary>True for <c>-ERR</c>.</summary>
    public bool IsError => Status == Pop3StatusKind.Err;

    /// <summary>True for a SASL continuation (<c>+ </c>).</summary>
    public bool IsContinuation => Status == Pop3StatusKind.Continuation;

    /// <summary>
    /// The extended response code (RFC 2449 §8, RFC 3206) without brackets, such as <c>IN-USE</c>, <c>LOGIN-DELAY</c>,
    /// <c>AUTH</c> or <c>SYS/TEMP</c>; null when the text does not start with a well-formed <c>[...]</c> code or the line
    /// is a continuation.
    /// </summary>
    public string? ResponseCode => Pop3ResponseCode.TryExtract(Status, Text, out var code, out _) ? code : null;

    /// <summary>The human-readable part of <see cref="Text"/>: the text with any leading response code removed.</summary>
    public string MessageText => Pop3ResponseCode.TryExtract(Status, Text, out _, out int rest) ? Text[rest..] : Text;

    /// <summary>
    /// Whether the response code is <paramref name="code"/> or one of its sub-codes, compared case-insensitively:
    /// <c>HasResponseCode("SYS")</c> is true for <c>[SYS/TEMP]</c> and <c>[SYS/PERM]</c>.
    /// </summary>
    /// <param name="code">A response code such as <c>IN-USE</c> or <c>SYS</c>, without brackets.</param>
    public bool HasResponseCode(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        string? actual = ResponseCode;
        if (actual is null || code.Length == 0)
        {
            return false;
        }

        return actual.Equals(code, StringComparison.OrdinalIgnoreCase)
            || (actual.Length > code.Length
                && actual[code.Length] == '/'
                && actual.StartsWith(code, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The response as it appears on the wire, without CRLF: <c>+OK text</c>, <c>-ERR text</c> or <c>+ text</c>.</summary>
    public override string ToString()
    {
        string indicator = Status switch
        {
            Pop3StatusKind.Ok => "+OK",
            Pop3StatusKind.Err => "-ERR",
            _ => "+",
        };
        return Text.Length == 0 ? indicator : $"{indicator} {Text}";
    }
}
