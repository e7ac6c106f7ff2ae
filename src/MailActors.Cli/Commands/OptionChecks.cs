using System.Globalization;
using System.Numerics;

namespace MailActors.Cli.Commands;

/// <summary>
/// Range checks for numeric options, made before anything starts: a count of zero sessions or a negative batch would
/// otherwise hang the run or throw from deep inside it instead of naming the option.
/// </summary>
internal static class OptionChecks
{
    /// <summary>Returns <paramref name="value"/>, or throws a usage error naming <paramref name="option"/> when it is below <paramref name="minimum"/>.</summary>
    public static T AtLeast<T>(T value, T minimum, string option)
        where T : struct, INumber<T> =>
        value >= minimum ? value : throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be at least {minimum}; got {value}."));

    /// <summary>As <see cref="AtLeast{T}(T, T, string)"/> for an option that may be absent.</summary>
    public static T? AtLeast<T>(T? value, T minimum, string option)
        where T : struct, INumber<T> =>
        value is { } given ? AtLeast(given, minimum, option) : null;

    /// <summary>Returns <paramref name="value"/>, or throws a usage error naming <paramref name="option"/> unless it is more than zero.</summary>
    public static T? Positive<T>(T? value, string option)
        where T : struct, INumber<T> =>
        value is not { } given || given > T.Zero ? value
            : throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be more than 0; got {given}."));
}
