using Akka.Actor;
using Akka.Hosting;
using MailActors.Configuration;
using MailActors.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace MailActors.Hosting;

/// <summary>Registers the delivery engine with Microsoft.Extensions.DependencyInjection.</summary>
public static class MailActorsServiceCollectionExtensions
{
    /// <summary>
    /// Starts an actor system (through Akka.Hosting, so it follows the host's lifetime) with <c>hocon/mailactors.conf</c>
    /// as its base configuration, and registers a singleton <see cref="Mailer"/> over it.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddMailActors(o => o.Hocon = """
    ///     mailactors.routes.smarthost { hosts = ["smtp.example.com:587"], user = mailer, password-env = SMTP_PASSWORD, smtp.tls = starttls }
    ///     """);
    /// // later: var report = await services.GetRequiredService&lt;Mailer&gt;().SendAsync(mail);
    /// </code>
    /// </example>
    public static IServiceCollection AddMailActors(this IServiceCollection services, Action<MailActorsHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new MailActorsHostingOptions();
        configure?.Invoke(options);
        services.AddAkka(options.ActorSystemName, (builder, _) =>
        {
            builder.AddHocon(MailActorsConfig.Default, HoconAddMode.Append);
            if (options.Hocon is { } hocon)
            {
                builder.AddHocon(hocon, HoconAddMode.Prepend);
            }
        });
        services.AddSingleton(provider =>
        {
            var system = provider.GetRequiredService<ActorSystem>();
            return Mailer.Create(system, options.Mailer ?? MailerOptions.FromConfig(system.Settings.Config));
        });
        return services;
    }
}
