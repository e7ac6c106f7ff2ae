using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using MailActors.Protocol;
using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Pop3;

/// <summary>
/// Net::POP3 for .NET: one async method per Net::POP3 method, over one <see cref="Pop3SessionActor"/>. Safe to call
/// from any thread: the session actor serialises commands in arrival order.
/// </summary>
/// <remarks>
/// Where Net::POP3 returns undef and leaves the response in <c>message()</c>, these methods throw
/// <see cref="Pop3CommandException"/> carrying the response and its response code (<c>IN-USE</c>, <c>AUTH</c>...);
/// <see cref="LastResponse"/> and <see cref="Message"/> keep the last response too. Deletions are committed only by
/// <see cref="QuitAsync"/>: disposing the client while messages are marked deleted sends RSET and then QUIT, so
/// nothing is deleted — exactly what Net::POP3 does when its object goes out of scope before <c>quit</c>.
/// Invalid arguments (CR, LF or NUL, message numbers below 1) throw <see cref="MailArgumentException"/> before a byte is written.
/// </remarks>
public sealed class Pop3Client : IAsyncDisposable
{
    private static readonly TimeSpan VanishedSessionGuard = TimeSpan.FromHours(1);

    private readonly IActorRef _session;
    private readonly TimeSpan _askTimeout;
    private readonly Connected _connected;
    private volatile Pop3Capabilities _capabilities;
    private volatile Pop3Response? _lastResponse;
    private bool _capabilitiesAsked;
    private int _disposed;

    private Pop3Client(IActorRef session, Pop3ClientOptions options, Connected connected, TimeSpan askTimeout)
    {
        _session = session;
        _connected = connected;
        _capabilities = connected.Capabilities;
        _capabilitiesAsked = options.RequestCapabilities;
        _lastResponse = connected.Greeting;
        _askTimeout = askTimeout;
        IsEncrypted = connected.IsEncrypted;
    }

    /// <summary>Connects (hosts in turn), reads the greeting and asks CAPA — Net::POP3's <c>new</c>.</summary>
    /// <exception cref="MailConnectException">No host answered, or TLS failed.</exception>
    /// <exception cref="Pop3CommandException">The server greeted with <c>-ERR</c>.</exception>
    public static async Task<Pop3Client> ConnectAsync(Pop3ClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.ToSessionSettings();
        // The session enforces every protocol timeout itself (a RETR may rightly take long while bytes keep coming);
        // this only guards against a session that vanished.
        var askTimeout = VanishedSessionGuard + settings.CommandTimeout + settings.Connection.ConnectTimeout;
        var (session, connected) = await Sessions.SessionStarter.ConnectAsync<Connected>(
            options, Pop3SessionActor.Props(settings), Pop3Session.Connect.Instance, askTimeout, cancellationToken).ConfigureAwait(false);
        return new Pop3Client(session, options, connected, askTimeout);
    }

    /// <summary>Connects to <paramref name="host"/> with otherwise default options.</summary>
    public static Task<Pop3Client> ConnectAsync(string host, Pop3ClientOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync((options ?? new Pop3ClientOptions()) with { Host = [host] }, cancellationToken);

    /// <summary>The session actor, for callers who want to talk to it directly.</summary>
    public IActorRef Session => _session;

    /// <summary>The greeting text the server sent on connect (Net::POP3 <c>banner</c>).</summary>
    public string Banner => _connected.Greeting.Text;

    /// <summary>The APOP timestamp of the greeting, or null when the server does not offer APOP.</summary>
    public string? ApopTimestamp => _connected.ApopTimestamp;

    /// <summary>The host entry that was connected to (Net::POP3 <c>host</c>).</summary>
    public string Host => _connected.Host.ToString();

    /// <summary>What the last CAPA listed, without asking again (Net::POP3 <c>capabilities</c> once asked).</summary>
    public Pop3Capabilities Capabilities => _capabilities;

    /// <summary>True once TLS is up (implicit or STLS).</summary>
    public bool IsEncrypted { get; private set; }

    /// <summary>The last status line from the server.</summary>
    public Pop3Response? LastResponse => _lastResponse;

    /// <summary>The text of the last status line (Net::Cmd <c>message</c>).</summary>
    public string Message => _lastResponse?.Text ?? "";

    /// <summary>Whether TLS is available (Net::POP3 <c>can_ssl</c>): always, through SslStream.</summary>
    public static bool CanSsl => true;

    /// <summary>Whether IPv6 is available on this machine (Net::POP3 <c>can_inet6</c>).</summary>
    public static bool CanInet6 => Socket.OSSupportsIPv6;

    // ---- AUTHORIZATION ----

    /// <summary>CAPA (Net::POP3 <c>capa</c>): asks the server and returns its capabilities.</summary>
    public async Task<Pop3Capabilities> CapaAsync(CancellationToken cancellationToken = default)
    {
        var read = await AskAsync<CapabilitiesRead>(Pop3Session.Capa.Instance, cancellationToken).ConfigureAwait(false);
        _lastResponse = read.Response;
        _capabilities = read.Capabilities;
        _capabilitiesAsked = true;
        return read.Capabilities;
    }

    /// <summary>The capabilities, asking CAPA only if they were never asked (Net::POP3 <c>capabilities</c>).</summary>
    public async Task<Pop3Capabilities> CapabilitiesAsync(CancellationToken cancellationToken = default) =>
        _capabilitiesAsked ? _capabilities : await CapaAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>STLS and CAPA again (Net::POP3 <c>starttls</c>). Certificate validation follows <see cref="Sessions.MailClientOptions.Tls"/>.</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken = default)
    {
        var started = await AskAsync<TlsStarted>(Pop3Session.StartTls.Instance, cancellationToken).ConfigureAwait(false);
        _capabilities = started.Capabilities;
        IsEncrypted = true;
    }

    /// <summary>
    /// UTF8 (RFC 6856, as MailKit's <c>EnableUTF8</c>): messages may be UTF-8 from here on, and so may the user name and
    /// password when CAPA lists <c>UTF8 USER</c>. Before login only, and STLS is refused after it; a server whose CAPA did
    /// not list UTF8 gets a <see cref="MailNotSupportedException"/> without anything being sent.
    /// </summary>
    public async Task EnableUtf8Async(CancellationToken cancellationToken = default) =>
        _lastResponse = await AskAsync<Pop3Response>(EnableUtf8.Instance, cancellationToken).ConfigureAwait(false);

    /// <summary>LANG (RFC 6856): the languages the server can answer in, in its order. Needs LANG in CAPA.</summary>
    public async Task<IReadOnlyList<Pop3Language>> GetLanguagesAsync(CancellationToken cancellationToken = default)
    {
        var languages = await AskAsync<Languages>(ListLanguages.Instance, cancellationToken).ConfigureAwait(false);
        _lastResponse = languages.Response;
        return languages.Available;
    }

    /// <summary>LANG tag (RFC 6856): the server's response texts are in that language from here on; <c>*</c> asks for its
    /// default. Needs LANG in CAPA; a tag the server does not offer is a <see cref="Pop3CommandException"/>.</summary>
    /// <param name="languageTag">A language range: letters, digits and '-' (<c>de-CH</c>), or <c>*</c>.</param>
    /// <param name="cancellationToken">Cancels the wait for the reply.</param>
    /// <returns>The server's reply, in the new language.</returns>
    public async Task<Pop3Response> SetLanguageAsync(string languageTag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(languageTag);
        var response = await AskAsync<Pop3Response>(new SetLanguage(languageTag), cancellationToken).ConfigureAwait(false);
        _lastResponse = response;
        return response;
    }

    /// <summary>USER (Net::POP3 <c>user</c>); follow with <see cref="PassAsync"/>.</summary>
    public async Task UserAsync(string userName, CancellationToken cancellationToken = default)
    {
        WireText.EnsureSafe(userName, nameof(userName));
        _lastResponse = await AskAsync<Pop3Response>(new User(userName), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PASS after <see cref="UserAsync"/> (Net::POP3 <c>pass</c>). Returns the number of messages.</summary>
    public async Task<int> PassAsync(string password, CancellationToken cancellationToken = default)
    {
        WireText.EnsureSafe(password, nameof(password));
        return await CountAfterLoginAsync(new Pass(password), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>USER and PASS (Net::POP3 <c>login</c>). Returns the number of messages — from the server's reply when it
    /// names it, else from STAT (Net::POP3 returns "0E0" then).</summary>
    public Task<int> LoginAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        WireText.EnsureSafe(userName, nameof(userName));
        WireText.EnsureSafe(password, nameof(password));
        return CountAfterLoginAsync(new Login(userName, password), cancellationToken);
    }

    /// <summary>APOP with the greeting's timestamp (Net::POP3 <c>apop</c>). Returns the number of messages.</summary>
    /// <exception cref="MailNotSupportedException">The greeting carries no timestamp.</exception>
    public Task<int> ApopAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        WireText.EnsureSafe(userName, nameof(userName));
        ArgumentNullException.ThrowIfNull(password);
        return CountAfterLoginAsync(new Pop3Session.Apop(userName, password), cancellationToken);
    }

    /// <summary>AUTH with the strongest offered SASL mechanism (Net::POP3 <c>auth($user, $pass)</c>). Returns the number of messages.</summary>
    public Task<int> AuthAsync(string userName, string password, CancellationToken cancellationToken = default) =>
        AuthAsync(new SaslCredentials(userName, password), null, cancellationToken);

    /// <summary>AUTH with the given credentials and, optionally, a forced mechanism (Net::POP3 <c>auth($sasl)</c>).</summary>
    public Task<int> AuthAsync(SaslCredentials credentials, string? mechanism = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return CountAfterLoginAsync(new Authenticate(credentials, mechanism), cancellationToken);
    }

    private async Task<int> CountAfterLoginAsync(ICommand login, CancellationToken cancellationToken)
    {
        var loggedIn = await AskAsync<LoggedIn>(login, cancellationToken).ConfigureAwait(false);
        _lastResponse = loggedIn.Response;
        if (loggedIn.MessageCount is { } count)
        {
            return count;
        }
        var (messages, _) = await PopStatAsync(cancellationToken).ConfigureAwait(false);
        return messages;
    }

    // ---- TRANSACTION ----

    /// <summary>STAT (Net::POP3 <c>popstat</c>): undeleted messages and the mailbox size in octets.</summary>
    public async Task<(int Count, long Size)> PopStatAsync(CancellationToken cancellationToken = default)
    {
        var status = await AskAsync<MailboxStatus>(Pop3Session.Stat.Instance, cancellationToken).ConfigureAwait(false);
        return (status.Count, status.Size);
    }

    /// <summary>LIST (Net::POP3 <c>list()</c>): every undeleted message number and its size.</summary>
    public async Task<IReadOnlyDictionary<int, long>> ListAsync(CancellationToken cancellationToken = default)
    {
        var listing = await AskAsync<Listing>(new List(), cancellationToken).ConfigureAwait(false);
        return listing.Messages.ToDictionary(m => m.Number, m => m.Size);
    }

    /// <summary>LIST n (Net::POP3 <c>list($n)</c>): the size of one message.</summary>
    public async Task<long> ListAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        var listing = await AskAsync<Listing>(new List(messageNumber), cancellationToken).ConfigureAwait(false);
        return listing.Messages[0].Size;
    }

    /// <summary>UIDL (Net::POP3 <c>uidl()</c>): every undeleted message number and its unique id.</summary>
    public async Task<IReadOnlyDictionary<int, string>> UidlAsync(CancellationToken cancellationToken = default)
    {
        var ids = await AskAsync<UniqueIds>(new Uidl(), cancellationToken).ConfigureAwait(false);
        return ids.Messages.ToDictionary(m => m.Number, m => m.Uid);
    }

    /// <summary>UIDL n (Net::POP3 <c>uidl($n)</c>): the unique id of one message.</summary>
    public async Task<string> UidlAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        var ids = await AskAsync<UniqueIds>(new Uidl(messageNumber), cancellationToken).ConfigureAwait(false);
        return ids.Messages[0].Uid;
    }

    /// <summary>RETR parsed into a <see cref="MimeKit.MimeMessage"/> (Net::POP3 <c>get</c>).</summary>
    public async Task<MimeKit.MimeMessage> GetAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        var content = await GetBytesAsync(messageNumber, cancellationToken).ConfigureAwait(false);
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        return await MimeKit.MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RETR into <paramref name="destination"/> as the message arrives (Net::POP3 <c>get($n, $fh)</c>);
    /// returns the octets written. The stream is not disposed.</summary>
    public async Task<long> GetAsync(int messageNumber, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var retrieved = await AskAsync<MessageRetrieved>(new Retrieve(messageNumber, MessageTarget.ToStream(destination)), cancellationToken).ConfigureAwait(false);
        _lastResponse = retrieved.Response;
        return retrieved.Octets;
    }

    /// <summary>RETR as the raw octets, un-stuffed, CRLF line endings as sent.</summary>
    public async Task<ReadOnlyMemory<byte>> GetBytesAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        var retrieved = await AskAsync<MessageRetrieved>(new Retrieve(messageNumber), cancellationToken).ConfigureAwait(false);
        _lastResponse = retrieved.Response;
        return retrieved.Content;
    }

    /// <summary>RETR as text lines without line endings, decoded as UTF-8 (Net::POP3 <c>get</c> returning lines).</summary>
    public async Task<IReadOnlyList<string>> GetLinesAsync(int messageNumber, CancellationToken cancellationToken = default) =>
        SplitLines(await GetBytesAsync(messageNumber, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// RETR as a stream that yields the message while it arrives (Net::POP3 <c>getfh</c>): memory stays bounded whatever
    /// the size, and the stream ends at the end of the message. Read it to the end or dispose it before the next
    /// command: the session serves nothing else meanwhile.
    /// </summary>
    public async Task<Stream> GetStreamAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        var streaming = await AskAsync<MessageStreaming>(new Retrieve(messageNumber, MessageTarget.Streamed), cancellationToken).ConfigureAwait(false);
        _lastResponse = streaming.Response;
        return streaming.Body;
    }

    /// <summary>RETR of several messages, in one write when the server offers PIPELINING. A <c>-ERR</c> for one
    /// message leaves its <see cref="RetrievedMessage.Content"/> null and does not fail the others.</summary>
    public async Task<IReadOnlyList<RetrievedMessage>> GetManyAsync(IEnumerable<int> messageNumbers, CancellationToken cancellationToken = default)
    {
        var numbers = CheckNumbers(messageNumbers);
        var retrieved = await AskAsync<MessagesRetrieved>(new RetrieveMany(numbers), cancellationToken).ConfigureAwait(false);
        return retrieved.Messages;
    }

    /// <summary>TOP (Net::POP3 <c>top</c>): the headers and the first <paramref name="lines"/> body lines, as text lines.</summary>
    public async Task<IReadOnlyList<string>> TopAsync(int messageNumber, int lines = 0, CancellationToken cancellationToken = default)
    {
        var retrieved = await AskAsync<MessageRetrieved>(new Top(messageNumber, lines), cancellationToken).ConfigureAwait(false);
        _lastResponse = retrieved.Response;
        return SplitLines(retrieved.Content);
    }

    /// <summary>LAST (Net::POP3 <c>last</c>): the highest message number accessed; RFC 1460, many servers refuse it.</summary>
    public async Task<int> LastAsync(CancellationToken cancellationToken = default) =>
        (await AskAsync<LastAccessed>(Pop3Session.Last.Instance, cancellationToken).ConfigureAwait(false)).MessageNumber;

    /// <summary>PING user (Net::POP3 <c>ping</c>, an extension of a few servers): new and total messages of <paramref name="userName"/>.</summary>
    public async Task<(int New, int Total)> PingAsync(string userName, CancellationToken cancellationToken = default)
    {
        var reply = await AskAsync<RawReply>(new Raw(Pop3Command.Raw("PING", userName)), cancellationToken).ConfigureAwait(false);
        _lastResponse = reply.Response;
        if (!reply.Response.IsOk)
        {
            throw new Pop3CommandException("PING", reply.Response);
        }
        var fields = reply.Response.Text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && int.TryParse(fields[0], out var fresh) && int.TryParse(fields[1], out var total)
            ? (fresh, total)
            : throw new Pop3ProtocolException($"The POP3 server answered PING with \"{reply.Response}\"; expected two numbers.");
    }

    /// <summary>DELE (Net::POP3 <c>delete</c>): marks the message deleted; <see cref="QuitAsync"/> commits.</summary>
    public async Task DeleteAsync(int messageNumber, CancellationToken cancellationToken = default) =>
        _lastResponse = await AskAsync<Pop3Response>(new Delete(messageNumber), cancellationToken).ConfigureAwait(false);

    /// <summary>DELE of several messages, in one write when the server offers PIPELINING; throws for the first refusal
    /// after all were sent (the others stay marked).</summary>
    public async Task DeleteAsync(IEnumerable<int> messageNumbers, CancellationToken cancellationToken = default)
    {
        var numbers = CheckNumbers(messageNumbers);
        var results = await AskAsync<DeleteResults>(new DeleteMany(numbers), cancellationToken).ConfigureAwait(false);
        if (results.Messages.FirstOrDefault(r => !r.Deleted) is { } refused)
        {
            throw new Pop3CommandException($"DELE {refused.Number}", refused.Response);
        }
    }

    /// <summary>RSET (Net::POP3 <c>reset</c>): un-marks every deleted message.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default) =>
        _lastResponse = await AskAsync<Pop3Response>(Pop3Session.Reset.Instance, cancellationToken).ConfigureAwait(false);

    /// <summary>NOOP.</summary>
    public async Task NoopAsync(CancellationToken cancellationToken = default) =>
        _lastResponse = await AskAsync<Pop3Response>(Pop3Session.Noop.Instance, cancellationToken).ConfigureAwait(false);

    /// <summary>Any command (Net::Cmd <c>command</c>); returns the status and, for a multi-line <c>+OK</c>, the lines — whatever the status.</summary>
    public async Task<RawReply> CommandAsync(Pop3Command command, CancellationToken cancellationToken = default)
    {
        var reply = await AskAsync<RawReply>(new Raw(command), cancellationToken).ConfigureAwait(false);
        _lastResponse = reply.Response;
        return reply;
    }

    /// <summary>QUIT and close (Net::POP3 <c>quit</c>): messages marked deleted are removed by the server now.</summary>
    public async Task<Pop3Response> QuitAsync(CancellationToken cancellationToken = default)
    {
        var response = await AskAsync<Pop3Response>(Pop3Session.Quit.Instance, cancellationToken).ConfigureAwait(false);
        _lastResponse = response;
        return response;
    }

    /// <summary>Messages marked deleted in this session and not reset: what <see cref="QuitAsync"/> would commit.</summary>
    public async Task<IReadOnlyCollection<int>> PendingDeletesAsync(CancellationToken cancellationToken = default) =>
        (await AskAsync<Info>(GetInfo.Instance, cancellationToken).ConfigureAwait(false)).PendingDeletes;

    /// <summary>
    /// Ends the session and stops its actor. Messages marked deleted are NOT deleted: with deletions pending the client
    /// sends RSET and then QUIT (as Net::POP3 does when its object is destroyed before <c>quit</c>); otherwise just QUIT.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        var wait = TimeSpan.FromSeconds(5);
        try
        {
            var info = await _session.Ask<Info>(GetInfo.Instance, wait).ConfigureAwait(false);
            if (info.State == "Transaction" && info.PendingDeletes.Count > 0)
            {
                await _session.Ask<Pop3Response>(Pop3Session.Reset.Instance, wait).ConfigureAwait(false);
            }
            if (info.State is "Authorization" or "Transaction")
            {
                await _session.Ask<Pop3Response>(Pop3Session.Quit.Instance, wait).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is MailSessionClosedException or MailTimeoutException or TimeoutException or AskTimeoutException
            or MailStateException or Pop3CommandException or MailProtocolException)
        {
            // Disposal is best effort: the connection is torn down below either way, and without QUIT the server
            // commits no deletion (RFC 1939 §6).
        }
        finally
        {
            _session.Tell(PoisonPill.Instance);
        }
    }

    // ---- plumbing ----

    private static int[] CheckNumbers(IEnumerable<int> messageNumbers)
    {
        ArgumentNullException.ThrowIfNull(messageNumbers);
        var numbers = messageNumbers.ToArray();
        foreach (var number in numbers)
        {
            if (number < 1)
            {
                throw new Pop3ArgumentException($"Message numbers start at 1; got {number}.", nameof(messageNumbers));
            }
        }
        return numbers;
    }

    private static IReadOnlyList<string> SplitLines(ReadOnlyMemory<byte> content)
    {
        var text = Encoding.UTF8.GetString(content.Span);
        var lines = text.Split('\n');
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
        }
        return result;
    }

    private async Task<T> AskAsync<T>(ICommand command, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return await _session.Ask<T>(command, _askTimeout, cancellationToken).ConfigureAwait(false);
    }
}
