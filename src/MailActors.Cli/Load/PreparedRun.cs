using Akka.Actor;
using MailActors.Load;

namespace MailActors.Cli.Load;

/// <summary>A load run ready to start: how to start it, what to print first, and the embedded server it may bring.</summary>
/// <param name="Start">Starts the run on an actor system.</param>
/// <param name="Header">The first line (Spectre markup): target, mode, bound, settings.</param>
/// <param name="Server">The embedded server, disposed after the run; null when loading a real one.</param>
/// <param name="ServerNote">What the embedded server counted, printed after the report.</param>
internal sealed record PreparedRun(Func<ActorSystem, LoadRun> Start, string Header, IAsyncDisposable? Server, Func<string?>? ServerNote);
