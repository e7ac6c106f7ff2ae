using Akka.Configuration;

namespace MailActors.Configuration;

/// <summary>The built-in configuration: <c>hocon/mailactors.conf</c>, embedded in the assembly.</summary>
public static class MailActorsConfig
{
    private static readonly Lazy<Config> Embedded = new(Load);

    /// <summary>The defaults from <c>hocon/mailactors.conf</c>.</summary>
    public static Config Default => Embedded.Value;

    /// <summary>Parses <paramref name="hocon"/> and falls back to the defaults for everything it does not set.</summary>
    public static Config WithOverrides(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(Default);

    private static Config Load()
    {
        using var stream = typeof(MailActorsConfig).Assembly.GetManifestResourceStream("MailActors.mailactors.conf")
            ?? throw new InvalidOperationException("The embedded mailactors.conf is missing from the MailActors assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
