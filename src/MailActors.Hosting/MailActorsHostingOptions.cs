using MailActors.Delivery;

namespace MailActors.Hosting;

/// <summary>What <see cref="MailActorsServiceCollectionExtensions.AddMailActors"/> sets up.</summary>
public sealed class MailActorsHostingOptions
{
    /// <summary>The actor system's name.</summary>
    public string ActorSystemName { get; set; } = "mailactors";

    /// <summary>HOCON laid over <c>hocon/mailactors.conf</c> (routes under <c>mailactors.routes</c>, say).</summary>
    public string? Hocon { get; set; }

    /// <summary>Routes set in code; when null they are read from <c>mailactors.routes</c> in the configuration.</summary>
    public MailerOptions? Mailer { get; set; }
}
