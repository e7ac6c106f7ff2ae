using System.Diagnostics;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;

namespace MailActors.Delivery;

/// <summary>
/// The routes of a <see cref="MailerOptions"/> as <see cref="Mailer.SendAsync"/> chooses among them (the message's
/// named route, else the first route whose <see cref="RouteOptions.Domains"/> serve the recipient's domain, else the
/// default route), with every address checked the way its route will send it: with or without
/// <see cref="SmtpSessionSettings.ExactAddresses"/>. The outbox files and checks messages by the same table, so that
/// what it journals is what the mailer will take.
/// </summary>
/// <remarks>
/// A recipient's domain is needed before its route is known, and the two modes may read different domains from one
/// text: <c>"a &lt;b@x&gt;"@y</c> is <c>b@x</c> when the part in angle brackets is taken out, and a quoted local part at
/// <c>y</c> when taken as written. A recipient goes to the route that its own reading of the address selects. Nearly
/// always the readings agree, or only one of them is an address, and that is routing by domain followed by the chosen
/// route's check (<c>Bob &lt;bob@x&gt;</c> is taken by a route without exact-addresses and refused up front by one
/// with it). When the two readings select two routes that each read the address their own way, or select no such
/// route, the address is refused as ambiguous: naming the message's route, or writing the plain path, settles it.
/// </remarks>
public sealed class RouteTable
{
    private readonly RouteOptions[] _routes;
    private readonly Dictionary<string, RouteOptions> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool _anyExact;

    /// <summary>Builds the table.</summary>
    /// <param name="options">The routes and the default route.</param>
    /// <exception cref="ArgumentException">No routes, two routes of one name, or a default route not among them.</exception>
    public RouteTable(MailerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _routes = options.Routes.ToArray(); // the caller's list may change later; the table must not
        if (_routes.Length == 0)
        {
            throw new ArgumentException("A mailer needs at least one route.", nameof(options));
        }
        foreach (var route in _routes)
        {
            if (!_byName.TryAdd(route.Name, route))
            {
                throw new ArgumentException($"Two routes are named '{route.Name}'.", nameof(options));
            }
        }
        if (options.DefaultRoute is { } defaultName && !_byName.ContainsKey(defaultName))
        {
            throw new ArgumentException($"The default route '{defaultName}' is not among the routes.", nameof(options));
        }
        DefaultRoute = options.DefaultRoute is { } name ? _byName[name] : _routes[0];
        _anyExact = _routes.Any(r => r.Session.ExactAddresses);
    }

    /// <summary>The route for recipients no route claims by domain.</summary>
    public RouteOptions DefaultRoute { get; }

    /// <summary>The route of that name (case-insensitive), or null.</summary>
    /// <param name="name">A route name.</param>
    /// <returns>The route, or null when there is none of that name.</returns>
    public RouteOptions? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.GetValueOrDefault(name);
    }

    /// <summary>
    /// The route that carries <paramref name="recipient"/> when the message names none (see the remarks on
    /// <see cref="RouteTable"/>); the recipient is then known to make a forward-path in that route's mode.
    /// </summary>
    /// <param name="recipient">The recipient as the caller has it.</param>
    /// <returns>The route.</returns>
    /// <exception cref="MailArgumentException">No route takes the recipient as it is written, or two would.</exception>
    public RouteOptions RouteOf(string recipient)
    {
        WireText.EnsureSafe(recipient, nameof(recipient));
        if (_routes.Length == 1)
        {
            CheckRecipient(recipient, _routes[0]);
            return _routes[0];
        }
        var plain = SmtpPath.TryDomainOf(recipient, exactAddresses: false, out var plainDomain) ? Select(plainDomain) : null;
        if (!_anyExact)
        {
            // No route takes addresses as written: only the extracting reading counts, as it always did (and DomainOf
            // throws the usual error when it is no address).
            return plain ?? Select(SmtpPath.DomainOf(recipient));
        }
        var exact = SmtpPath.TryDomainOf(recipient, exactAddresses: true, out var exactDomain) ? Select(exactDomain) : null;
        var plainAgrees = plain is { Session.ExactAddresses: false };
        var exactAgrees = exact is { Session.ExactAddresses: true };
        if (plainAgrees != exactAgrees)
        {
            return plainAgrees ? plain! : exact!;
        }
        if (plain is not null && exact is not null)
        {
            throw Ambiguous(recipient, plainDomain!, plain, exactDomain!, exact);
        }
        // One reading at most is an address, and the route it selects reads the address the other way (or neither
        // reading is an address, and the default route judges): that route's own check says what is wrong.
        CheckRecipient(recipient, plain ?? exact ?? DefaultRoute);
        throw new UnreachableException();
    }

    /// <summary>
    /// Chooses the route of every recipient and checks the envelope for those routes: each recipient in its route's
    /// mode, the sender in the mode of every route the message goes to (each sends its own MAIL FROM).
    /// </summary>
    /// <param name="mail">The message.</param>
    /// <returns>The recipients of each route, routes in the order their first recipient appears.</returns>
    /// <exception cref="MailArgumentException">An address contains CR, LF or NUL, or a route it goes to refuses it.</exception>
    /// <exception cref="ArgumentException">The message names a route that does not exist.</exception>
    public RoutePlan Plan(OutgoingMail mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        mail.EnsureSafe();
        var only = mail.Route is { } named
            ? Find(named) ?? throw new ArgumentException($"No route named '{named}'.", nameof(mail))
            : _routes.Length == 1 ? _routes[0] : null;
        if (only is not null)
        {
            CheckSender(mail.Sender, only);
            foreach (var recipient in mail.Recipients)
            {
                CheckRecipient(recipient, only);
            }
            return new RoutePlan(mail, [new RouteGroup(only, mail.Recipients)]);
        }
        var byRoute = new Dictionary<RouteOptions, List<string>>(ReferenceEqualityComparer.Instance);
        var order = new List<RouteOptions>();
        foreach (var recipient in mail.Recipients)
        {
            var route = RouteOf(recipient);
            if (!byRoute.TryGetValue(route, out var list))
            {
                byRoute[route] = list = [];
                order.Add(route);
            }
            list.Add(recipient);
        }
        // Once per mode is enough: a route's check depends only on its mode (and names the first route of it).
        if (order.FirstOrDefault(r => !r.Session.ExactAddresses) is { } extracting)
        {
            CheckSender(mail.Sender, extracting);
        }
        if (order.FirstOrDefault(r => r.Session.ExactAddresses) is { } exactRoute)
        {
            CheckSender(mail.Sender, exactRoute);
        }
        return new RoutePlan(mail, order.Select(r => new RouteGroup(r, byRoute[r])).ToArray());
    }

    private RouteOptions Select(string domain)
    {
        foreach (var route in _routes)
        {
            if (route.Serves(domain))
            {
                return route;
            }
        }
        return DefaultRoute;
    }

    private static void CheckSender(string sender, RouteOptions route)
    {
        try
        {
            SmtpPath.ValidateSender(sender, route.Session.ExactAddresses);
        }
        catch (MailArgumentException e) when (route.Session.ExactAddresses)
        {
            throw TakenAsWritten(route, e);
        }
    }

    private static void CheckRecipient(string recipient, RouteOptions route)
    {
        try
        {
            SmtpPath.ValidateRecipient(recipient, route.Session.ExactAddresses);
        }
        catch (MailArgumentException e) when (route.Session.ExactAddresses)
        {
            throw TakenAsWritten(route, e);
        }
    }

    // A path refused only because the route takes addresses as written must say so: the same text passes elsewhere.
    private static MailArgumentException TakenAsWritten(RouteOptions route, MailArgumentException refusal) =>
        new($"Route '{route.Name}' has exact-addresses on, so an address must already be a path and nothing is taken out of 'Name <address>': {refusal.Message}", refusal);

    private static MailArgumentException Ambiguous(string recipient, string plainDomain, RouteOptions plain, string exactDomain, RouteOptions exact) =>
        new($"'{recipient}' is ambiguous: taken as written it is an address at '{exactDomain}' (route '{exact.Name}', exact-addresses {OnOff(exact)}), "
            + $"but the part in angle brackets is an address at '{plainDomain}' (route '{plain.Name}', exact-addresses {OnOff(plain)}). "
            + "Name the message's route, or write the address as a plain path.", nameof(recipient));

    private static string OnOff(RouteOptions route) => route.Session.ExactAddresses ? "on" : "off";
}
