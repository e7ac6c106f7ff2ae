using System.CommandLine;
using MailActors.Cli.Commands;
using MailActors.Cli.Commands.Bulk;

var root = new RootCommand("mailactors: an actor-based SMTP and POP3 client engine — send, fetch, bulk, load, sink.")
{
    SendCommand.Create(),
    FetchCommand.Create(),
    BulkCommand.Create(),
    StatusCommand.Create(),
    LoadCommand.Create(),
    SinkCommand.Create(),
};
// Ctrl-C and SIGTERM cancel the command's token instead of killing the process, so `load` and `sink` can stop cleanly
// and still print their reports; a command that does not finish within the timeout is cut off. `load` gives its
// sessions LoadCommand.StopDrain (5 s) after a cancel, well inside this, and not its 30 s drain time, which equals it.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
