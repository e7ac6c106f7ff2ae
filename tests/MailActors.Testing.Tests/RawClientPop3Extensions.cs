namespace MailActors.Testing.Tests;

/// <summary>POP3 conveniences on <see cref="RawClient"/>.</summary>
internal static class RawClientPop3Extensions
{
    /// <summary>Sends one command line and returns the status line (or a SASL "+ " continuation).</summary>
    public static async Task<string?> Pop3CommandAsync(this RawClient client, string line)
    {
        await client.SendAsync(line + "\r\n");
        return await client.ReadLineAsync();
    }

    /// <summary>Reads the lines of a multi-line response up to (not including) the terminating ".", still dot-stuffed.</summary>
    public static async Task<List<string>> ReadMultilineAsync(this RawClient client)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await client.ReadLineAsync() ?? throw new IOException("Server closed inside a multi-line response.");
            if (line == ".")
            {
                return lines;
            }

            lines.Add(line);
        }
    }
}
