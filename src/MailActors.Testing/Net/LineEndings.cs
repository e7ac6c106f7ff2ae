namespace MailActors.Testing;

/// <summary>Line-ending normalisation for stored mail (Maildir files use bare LF; the wire wants CRLF).</summary>
internal static class LineEndings
{
    /// <summary>Returns <paramref name="content"/> with every LF not preceded by CR turned into CRLF.</summary>
    public static byte[] ToCrLf(byte[] content)
    {
        var bareLineFeeds = 0;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'\n' && (i == 0 || content[i - 1] != (byte)'\r'))
            {
                bareLineFeeds++;
            }
        }

        if (bareLineFeeds == 0)
        {
            return content;
        }

        var result = new byte[content.Length + bareLineFeeds];
        var j = 0;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'\n' && (i == 0 || content[i - 1] != (byte)'\r'))
            {
                result[j++] = (byte)'\r';
            }

            result[j++] = content[i];
        }

        return result;
    }
}
