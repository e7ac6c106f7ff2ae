using System.Text;

namespace MailActors.Protocol.Smtp;

/// <summary>
/// One reusable <see cref="StringBuilder"/> per thread for command lines with parameters: a MAIL line is built for
/// every message sent, and a new builder (with its buffer) for each was a measurable share of the allocations per
/// message. A builder that is not handed back (its line threw) is simply not reused.
/// </summary>
internal static class LineBuilderCache
{
    private const int MaxKeptCapacity = 1024; // an unusually long line is not kept alive for the thread's lifetime

    [ThreadStatic]
    private static StringBuilder? t_cached;

    /// <summary>A builder holding <paramref name="start"/>.</summary>
    public static StringBuilder Acquire(string start)
    {
        var builder = t_cached;
        if (builder is null)
        {
            return new StringBuilder(start, 128);
        }
        t_cached = null;
        return builder.Clear().Append(start);
    }

    /// <summary>The line built, with the builder handed back for the next line on this thread.</summary>
    public static string ToStringAndRelease(StringBuilder builder)
    {
        var line = builder.ToString();
        if (builder.Capacity <= MaxKeptCapacity)
        {
            t_cached = builder;
        }
        return line;
    }
}
