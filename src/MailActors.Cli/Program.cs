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
// and still print their reports; a command that does not finish within the timeout is cut off.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
