using System.CommandLine;
using System.Globalization;
using MailActors.Outbox;

namespace MailActors.Cli.Commands.Bulk;

/// <summary><c>mailactors status</c>: counts by state of an outbox store, or one message's per-recipient status (read-only).</summary>
internal static class StatusCommand
{
    /// <summary><c>--message</c> names a message the store does not know.</summary>
    public const int UnknownMessage = 3;

    /// <summary>The store holds no outbox; status creates none (it is read-only), so a mistyped path is not an empty store.</summary>
    public const int NoStore = 4;

    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "sqlite:FILE or postgres:CONNECTION-STRING", Required = true };
        var message = new Option<string?>("--message") { Description = "Show this message's per-recipient status" };
        var suppressed = new Option<bool>("--suppressed") { Description = "List the suppression list" };
        var command = new Command("status", "Show an outbox store's counts by state, a message's status, or the suppression list (read-only: creates nothing; exit 3 unknown message, 4 no outbox in the store, 27 the store could not be opened).");
        command.Options.Add(store);
        command.Options.Add(message);
        command.Options.Add(suppressed);
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var outboxStore = OutboxHost.ParseStore(result.GetValue(store)!);
                await using var host = await OutboxHost.StartAsync(outboxStore, OutboxOptions.FromConfig() with { Passive = true }, null, ct).ConfigureAwait(false);
                var counts = await host.Outbox.GetCountsAsync(ct).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"accepted={counts.MessagesAccepted} unfinished={counts.MessagesUnfinished} queued={counts.Queued} in_flight={counts.InFlight} deferred={counts.Deferred} delivered={counts.Delivered} bounced={counts.Bounced} expired={counts.Expired} suppressed={counts.Suppressed}"));
                if (result.GetValue(message) is { } id)
                {
                    var status = await host.Outbox.GetStatusAsync(id, ct).ConfigureAwait(false);
                    if (status is null)
                    {
                        Console.WriteLine($"message {id}: unknown (never accepted, or finished longer ago than the status retention)");
                        return UnknownMessage;
                    }
                    Console.WriteLine($"message {status.MessageId} accepted {status.AcceptedAt:u} envid {status.EnvelopeId}");
                    foreach (var r in status.Recipients)
                    {
                        var reply = r.LastReply is { } last ? $"{last.Code} {string.Join(" ", last.Lines)}" : r.LastError ?? "";
                        var next = r.NextAttemptAt is { } at ? $" next {at:u}" : "";
                        Console.WriteLine($"  {r.Address}: {r.State.ToString().ToLowerInvariant()} attempts {r.Attempts}{next} {reply}".TrimEnd());
                    }
                }
                if (result.GetValue(suppressed))
                {
                    foreach (var (address, reason, at) in await host.Outbox.GetSuppressedAsync(ct).ConfigureAwait(false))
                    {
                        Console.WriteLine($"suppressed {address} since {at:u}: {reason}");
                    }
                }
                return ExitCodes.Ok;
            }
            catch (CliUsageException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (StoreNotFoundException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return NoStore;
            }
            catch (StoreUnavailableException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Store;
            }
        });
        return command;
    }
}
