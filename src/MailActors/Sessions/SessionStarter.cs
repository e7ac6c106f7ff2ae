using Akka.Actor;
using MailActors.Configuration;
using MailActors.Protocol;

namespace MailActors.Sessions;

/// <summary>How both client facades start their session actor: check the hosts, spawn, connect, and stop the actor again
/// when connecting fails.</summary>
internal static class SessionStarter
{
    /// <summary>Spawns a session with <paramref name="props"/> and asks it <paramref name="connect"/>.</summary>
    /// <param name="options">The client options (hosts are checked for CR/LF/NUL; the actor system is taken from here).</param>
    /// <param name="props">The session actor.</param>
    /// <param name="connect">The protocol's Connect command.</param>
    /// <param name="askTimeout">Guards against a session that vanished; the session enforces its protocol timeouts itself.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task<(IActorRef Session, TConnected Connected)> ConnectAsync<TConnected>(
        MailClientOptions options, Props props, ISessionCommand connect, TimeSpan askTimeout, CancellationToken cancellationToken)
    {
        foreach (var host in options.Host)
        {
            WireText.EnsureSafe(host, nameof(options.Host));
        }
        var system = options.ActorSystem ?? MailActorsRuntime.Shared;
        var session = system.ActorOf(props);
        try
        {
            var connected = await session.Ask<TConnected>(connect, askTimeout, cancellationToken).ConfigureAwait(false);
            return (session, connected);
        }
        catch
        {
            system.Stop(session);
            throw;
        }
    }
}
