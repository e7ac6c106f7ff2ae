namespace MailActors.Pop3.Fetch;

/// <summary>What one <see cref="MaildirFetcher"/> run did.</summary>
/// <param name="Downloaded">Messages fetched and stored in this run.</param>
/// <param name="AlreadyStored">Messages on the server that an earlier run had stored.</param>
/// <param name="Deleted">Messages deleted from the server (committed by QUIT); 0 when keeping mail on the server.</param>
public sealed record FetchReport(int Downloaded, int AlreadyStored, int Deleted);

/// <summary>
/// Downloads a POP3 mailbox into a <see cref="Maildir"/> so that a crash at any point neither loses a message nor
/// stores it twice. For each message whose UIDL is not yet stored: RETR streamed into <c>tmp/</c>, fsync, rename into
/// <c>new/</c>, fsync of the directory, then the UIDL is appended to the <see cref="FetchState"/> and synced. Only
/// then, when deleting, DELE for every stored message, and QUIT to commit. A crash before QUIT commits nothing on the
/// server (RFC 1939 §6), and every message it had stored is recognised on the next run by its UIDL (or, if the crash came
/// between rename and record, by the tag in its file name) and not downloaded again; the half-written files such a crash
/// leaves in <c>tmp/</c> are removed at the start of the next run (<see cref="Maildir.RemoveStaleTemporaryFiles"/>).
/// </summary>
public static class MaildirFetcher
{
    /// <summary>Runs one fetch over a logged-in <paramref name="client"/> and ends the session with QUIT.</summary>
    /// <param name="client">A client in the TRANSACTION state; it is quit at the end.</param>
    /// <param name="maildir">Where messages are stored.</param>
    /// <param name="state">The UIDLs already stored for this account.</param>
    /// <param name="deleteStored">Delete stored messages from the server (<c>--delete</c>); false keeps them (<c>--keep</c>).</param>
    /// <param name="progress">Told about each message stored (its number and path), for logging.</param>
    /// <param name="deleting">Told how many messages are about to be deleted, before DELE is sent.</param>
    /// <param name="cancellationToken">Cancels between steps; the server then commits nothing.</param>
    public static async Task<FetchReport> RunAsync(Pop3Client client, Maildir maildir, FetchState state, bool deleteStored,
        Action<int, string>? progress = null, Action<int>? deleting = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(maildir);
        ArgumentNullException.ThrowIfNull(state);
        maildir.RemoveStaleTemporaryFiles(); // half-written files of fetches that were killed
        var uids = await client.UidlAsync(cancellationToken).ConfigureAwait(false);
        var downloaded = 0;
        var alreadyStored = 0;
        foreach (var (number, uid) in uids.OrderBy(entry => entry.Key))
        {
            if (state.IsStored(uid))
            {
                alreadyStored++;
                await state.RecordAsync(uid, cancellationToken).ConfigureAwait(false); // heals a crash between store and record
                continue;
            }
            var path = await maildir.DeliverAsync(
                destination => client.GetAsync(number, destination, cancellationToken), state.TagOf(uid), cancellationToken).ConfigureAwait(false);
            await state.RecordAsync(uid, cancellationToken).ConfigureAwait(false);
            downloaded++;
            progress?.Invoke(number, path);
        }
        var deleted = 0;
        if (deleteStored)
        {
            var stored = uids.Where(entry => state.IsStored(entry.Value)).Select(entry => entry.Key).Order().ToArray();
            if (stored.Length > 0)
            {
                deleting?.Invoke(stored.Length);
                await client.DeleteAsync(stored, cancellationToken).ConfigureAwait(false);
            }
            deleted = stored.Length;
        }
        var quit = await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        if (!quit.IsOk)
        {
            throw new Pop3CommandException("QUIT", quit);
        }
        return new FetchReport(downloaded, alreadyStored, deleted);
    }
}
