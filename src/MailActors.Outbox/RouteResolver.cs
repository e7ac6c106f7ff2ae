using MailActors.Delivery;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox;

/// <summary>Which route carries a recipient, by the same rules as <see cref="Mailer"/>: the message's route, else the first route serving the domain, else the default route.</summary>
internal sealed class RouteResolver(MailerOptions? mailer)
{
    private readonly string? _default = mailer is null ? null : mailer.DefaultRoute ?? mailer.Routes.FirstOrDefault()?.Name;

    public bool Exists(string route) => mailer?.Routes.Any(r => string.Equals(r.Name, route, StringComparison.OrdinalIgnoreCase)) ?? true;

    public string? RouteOf(string? messageRoute, string recipient)
    {
        if (messageRoute is not null || mailer is null)
        {
            return messageRoute;
        }
        var path = SmtpPath.ToPath(recipient);
        var at = path.LastIndexOf('@');
        var domain = at < 0 ? "" : path[(at + 1)..^1];
        return mailer.Routes.FirstOrDefault(r => r.Serves(domain))?.Name ?? _default;
    }
}
