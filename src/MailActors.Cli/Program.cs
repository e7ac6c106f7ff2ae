using System.CommandLine;
using MailActors.Cli.Commands;
using MailActors.Cli.Commands.Bulk;

var root = new RootCommand("mailactors: an actor-based SMTP and POP3 client engine — send, fetch, bulk, load, sink.")
{
    SendCommand.Create(),
    FetchCommand.Create(),
    BulkCommand.Create(),
    StatusCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
