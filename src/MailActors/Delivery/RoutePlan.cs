namespace MailActors.Delivery;

/// <summary>
/// Which route carries which recipients of one message, from <see cref="RouteTable.Plan"/>: the addresses are already
/// checked in the modes of those routes.
/// </summary>
public sealed class RoutePlan
{
    internal RoutePlan(OutgoingMail mail, IReadOnlyList<RouteGroup> groups)
    {
        Mail = mail;
        Groups = groups;
    }

    /// <summary>The message.</summary>
    public OutgoingMail Mail { get; }

    /// <summary>The recipients of each route, routes in the order their first recipient appears in the message.</summary>
    public IReadOnlyList<RouteGroup> Groups { get; }

    /// <summary>
    /// <see cref="OutgoingMail.ValidateParameters(bool)"/> for each route's recipients, in that route's mode: the
    /// command lines built are the ones its sessions will send.
    /// </summary>
    /// <exception cref="MailActors.Protocol.MailArgumentException">A parameter is refused; the message names it.</exception>
    public void ValidateParameters()
    {
        // By index: this runs for every message sent, and foreach over the interface would allocate an enumerator.
        for (var i = 0; i < Groups.Count; i++)
        {
            var group = Groups[i];
            Mail.ValidateParameters(group.Route.Session.ExactAddresses, group.Recipients);
        }
    }
}

/// <summary>The recipients of a message that one route carries, in the message's order.</summary>
/// <param name="Route">The route.</param>
/// <param name="Recipients">Its recipients, as the caller wrote them.</param>
public sealed record RouteGroup(RouteOptions Route, IReadOnlyList<string> Recipients);
