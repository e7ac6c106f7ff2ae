using System.Text;

namespace MailActors.Benchmarking;

/// <summary>The message every benchmark program sends: a few headers and 78-octet lines up to the requested size.</summary>
internal static class BenchContent
{
    /// <summary>An ASCII message of <paramref name="size"/> bytes (at least the headers) with <paramref name="subject"/>.</summary>
    public static byte[] Create(int size, string subject)
    {
        var header = $"From: <bench@example.test>\r\nTo: <sink@example.test>\r\nSubject: {subject}\r\n\r\n";
        var line = new string('x', 76) + "\r\n";
        var body = new StringBuilder(header);
        while (body.Length < size)
        {
            body.Append(line);
        }
        return Encoding.ASCII.GetBytes(body.ToString(0, Math.Max(size, header.Length)));
    }
}
