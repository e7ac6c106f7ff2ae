using MailActors.Delivery;
using MailActors.Protocol;

namespace MailActors.Outbox;

/// <summary>
/// Which route carries a recipient, and the checks of its addresses, by the <see cref="Mailer"/>'s own
/// <see cref="RouteTable"/>: the message's route, else the route the recipient's domain selects, else the default route,
/// each address checked with or without exact-addresses as its route will send it.
/// </summary>
internal sealed class RouteResolver(MailerOptions? mailer)
{
    private readonly RouteTable? _table = mailer is null ? null : new RouteTable(mailer);

    // With one route (the table makes it the default) every recipient goes there: no need to parse the address (asked
    // for every recipient at every attempt).
    private readonly string? _only = mailer is { Routes.Count: 1 } ? mailer.Routes[0].Name : null;

    // Without a route that takes addresses as written, every address is read one way: no need to find its route.
    private readonly bool _anyExact = mailer is not null && mailer.Routes.Any(r => r.Session.ExactAddresses);

    public bool Exists(string route) => _table is null || _table.Find(route) is not null;

    /// <summary>
    /// Checks the addresses, each in the mode of its route, and returns the plan; without routes (a passive outbox,
    /// which journals nothing) there is no plan, and the addresses are checked as a route without exact-addresses would.
    /// </summary>
    /// <exception cref="MailArgumentException">An address is refused.</exception>
    public RoutePlan? Plan(OutgoingMail mail)
    {
        if (_table is null)
        {
            mail.ValidateAddresses();
            return null;
        }
        return _table.Plan(mail);
    }

    /// <summary>
    /// Whether the route that carries <paramref name="recipient"/> (see <see cref="RouteOf"/>) has exact-addresses on,
    /// so that the address as written, not the one taken out of it, is the mailbox (suppression, DSNs, ORCPT).
    /// </summary>
    public bool ReadsExactly(string? messageRoute, string recipient) =>
        _anyExact && RouteOf(messageRoute, recipient) is { } name && _table!.Find(name) is { Session.ExactAddresses: true };

    public string? RouteOf(string? messageRoute, string recipient)
    {
        if (messageRoute is not null || _table is null)
        {
            return messageRoute;
        }
        if (_only is not null)
        {
            return _only;
        }
        try
        {
            return _table.RouteOf(recipient).Name;
        }
        catch (MailArgumentException)
        {
            // Checked at enqueue, so only a message journaled under other routes gets here (a route since set to
            // exact-addresses, say): its retry policy is the default route's, and the Mailer's refusal of the address
            // is what the attempt reports.
            return _table.DefaultRoute.Name;
        }
    }
}
