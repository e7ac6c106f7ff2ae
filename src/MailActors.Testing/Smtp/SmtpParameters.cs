namespace MailActors.Testing;

/// <summary>Lookup in ESMTP <c>keyword[=value]</c> parameter lists.</summary>
internal static class SmtpParameters
{
    public static string? Find(IReadOnlyList<string> parameters, string name)
    {
        foreach (var parameter in parameters)
        {
            var (keyword, value) = Split(parameter);
            if (keyword.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    public static (string Keyword, string Value) Split(string parameter)
    {
        var equals = parameter.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (parameter, "") : (parameter[..equals], parameter[(equals + 1)..]);
    }
}
