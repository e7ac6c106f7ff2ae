using System.Buffers;

namespace MailActors.Protocol;

/// <summary>
/// Guards the one invariant every line-based mail protocol shares: a value placed on a command line must not contain
/// CR, LF or NUL, or it could end the line early and smuggle a second command to the server.
/// </summary>
public static class WireText
{
    private static readonly SearchValues<char> LineBreakers = SearchValues.Create("\r\n\0");

    /// <summary>Throws unless <paramref name="value"/> is free of CR, LF and NUL.</summary>
    /// <param name="value">The value that is about to go on the wire.</param>
    /// <param name="paramName">The caller's parameter name, used in the exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="MailArgumentException">The value contains CR, LF or NUL; the message names the character, its position and the parameter.</exception>
    public static void EnsureSafe(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        var index = value.AsSpan().IndexOfAny(LineBreakers);
        if (index >= 0)
        {
            throw new MailArgumentException(
                $"The value of '{paramName}' contains {Describe(value[index])} at position {index}; it cannot be sent on a protocol line.",
                paramName);
        }
    }

    /// <summary>Tells whether <paramref name="value"/> is free of CR, LF and NUL.</summary>
    /// <param name="value">The characters to check.</param>
    /// <returns><see langword="true"/> when none of CR, LF or NUL occurs.</returns>
    public static bool IsSafe(ReadOnlySpan<char> value) => value.IndexOfAny(LineBreakers) < 0;

    private static string Describe(char c) => c switch
    {
        '\r' => "a carriage return (CR, U+000D)",
        '\n' => "a line feed (LF, U+000A)",
        _ => "a NUL character (U+0000)",
    };
}
