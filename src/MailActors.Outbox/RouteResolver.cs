using MailActors.Delivery;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox;

/// <summary>Which route carries a recipient, by the same rules as <see cref="Mailer"/>: the message's route, else the first route serving the domain, else the default route.</summary>
internal sealed class RouteResolver(MailerOptions? mailer)
{
    private readonly string? _default = mailer is null ? null : mailer.DefaultRoute ?? mailer.Routes.FirstOrDefault()?.Name;

    // With one route that is also the default, every recipient goes there: no need to parse the address (asked for every
    // recipient at enqueue and at every attempt).
    private readonly string? _only = mailer is { Routes.Count: 1 } && (mailer.DefaultRoute is null
        || string.Equals(mailer.DefaultRoute, mailer.Routes[0].Name, StringComparison.OrdinalIgnoreCase)) ? mailer.Routes[0].Name : null;

    public bool Exists(string route) => mailer?.Routes.Any(r => string.Equals(r.Name, route, StringComparison.OrdinalIgnoreCase)) ?? true;

    public string? RouteOf(string? messageRoute, string recipient)
    {
        if (messageRoute is not null || mailer is null)
        {
            return messageRoute;
        }
        if (_only is not null)
        {
            return _only;
        }
        var domain = SmtpPath.DomainOf(recipient);
        return mailer.Routes.FirstOrDefault(r => r.Serves(domain))?.Name ?? _default;
    }
}
