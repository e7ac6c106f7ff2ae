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
    /// <remarks>
    /// When the host stops, the mailer stops admitting messages and waits for the admitted ones (up to
    /// <see cref="MailerOptions.DrainTimeout"/>, and no longer than the host's <c>HostOptions.ShutdownTimeout</c>)
    /// before the actor system ends; what is still unsent then fails with <see cref="MailSessionClosedException"/>.
    /// A coordinated shutdown started inside Akka drains it too, within the <c>service-requests-done</c> phase's timeout.
    /// </remarks>
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
        services.AddSingleton<MailerLifetime>();
        services.AddSingleton(provider =>
        {
            var system = provider.GetRequiredService<ActorSystem>();
            var mailer = Mailer.Create(system, options.Mailer ?? MailerOptions.FromConfig(system.Settings.Config));
            return provider.GetRequiredService<MailerLifetime>().Track(mailer, system);
        });
        // After AddAkka: hosts stop their services in reverse order, so the mailer drains before the system ends.
        services.AddHostedService<MailerDrainService>();
        return services;
    }
}
