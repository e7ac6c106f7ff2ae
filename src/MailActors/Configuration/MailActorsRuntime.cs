using Akka.Actor;

namespace MailActors.Configuration;

/// <summary>
/// The actor system that client facades use when the caller does not bring one: created on first use, shared by all
/// facades in the process, and shut down when the process exits.
/// </summary>
public static class MailActorsRuntime
{
    // Akka's coordinated shutdown runs on process exit by default, so nobody has to terminate this system.
    private static readonly Lazy<ActorSystem> SharedSystem = new(
        () => ActorSystem.Create("mailactors", MailActorsConfig.WithOverrides("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING")),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared actor system.</summary>
    public static ActorSystem Shared => SharedSystem.Value;
}
