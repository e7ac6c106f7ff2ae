using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using MailActors.Configuration;
using MailActors.Protocol;
using MailActors.Protocol.Sasl;
using MailActors.Protocol.Smtp;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Smtp;

/// <summary>
/// Net::SMTP for .NET: one async method per Net::SMTP method, over one <see cref="SmtpSessionActor"/>. Safe to call
/// from any thread: the session actor serialises commands in arrival order.
/// </summary>
/// <remarks>
/// Where Net::SMTP returns false and leaves the reply in <c>code()</c>/<c>message()</c>, these methods throw
/// <see cref="SmtpCommandException"/> carrying the reply; <see cref="LastReply"/>, <see cref="Code"/> and
/// <see cref="Message"/> still hold the last reply. Query-like methods keep Net::SMTP's results instead of throwing:
/// <see cref="VerifyAsync"/> returns false, <see cref="ExpandAsync"/> an empty list, <see cref="HelpAsync"/> null.
/// Invalid arguments (CR, LF or NUL anywhere, malformed paths) throw <see cref="MailArgumentException"/> before a byte
/// is written.
/// </remarks>
public sealed class SmtpClient : IAsyncDisposable
{
    private readonly IActorRef _session;
    private readonly SmtpClientOptions _options;
    private readonly TimeSpan _askTimeout;
    private Connected _connected;
    private SmtpCapabilities _capabilities;
    private volatile SmtpReply? _lastReply;
    private int _disposed;

    private SmtpClient(IActorRef session, SmtpClientOptions options, Connected connected, TimeSpan askTimeout)
    {
        _session = session;
        _options = options;
        _connected = connected;
        _capabilities = connected.Capabilities;
        _lastReply = connected.LastReply; // Net::SMTP's code() after new() is the hello's
        _askTimeout = askTimeout;
        IsEncrypted = connected.IsEncrypted;
    }

    /// <summary>
    /// Connects (hosts in turn), reads the greeting and, unless <see cref="SmtpClientOptions.SendHello"/> is off, sends
    /// EHLO (HELO after a 5xx) and then the STARTTLS and AUTH the options ask for — Net::SMTP's <c>new</c>.
    /// </summary>
    /// <exception cref="MailArgumentException">The hello domain cannot be sent (empty, or with a space or CR/LF/NUL).</exception>
    /// <exception cref="MailConnectException">No host answered, implicit TLS failed, or the greeting was not 220.</exception>
    /// <exception cref="SmtpCommandException">EHLO and HELO, or STARTTLS, were refused.</exception>
    /// <exception cref="MailNotSupportedException">The options require STARTTLS and the server does not offer it.</exception>
    /// <exception cref="MailTimeoutException">The server did not answer in time.</exception>
    /// <exception cref="MailSessionClosedException">The connection was lost.</exception>
    /// <exception cref="MailProtocolException">A reply was malformed or over the configured limits.</exception>
    public static async Task<SmtpClient> ConnectAsync(SmtpClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.ToSessionSettings();
        SmtpCommand.ValidateHelloDomain(options.Hello, nameof(options.Hello));
        // The session enforces every protocol timeout itself; this only guards against a session that vanished.
        var askTimeout = settings.TransactionTimeout + settings.CommandTimeout + settings.Connection.ConnectTimeout;
        var (session, connected) = await Sessions.SessionStarter.ConnectAsync<Connected>(
            options, SmtpSessionActor.Props(settings), SmtpSession.Connect.Instance, askTimeout, cancellationToken).ConfigureAwait(false);
        return new SmtpClient(session, options, connected, askTimeout);
    }

    /// <summary>Connects to <paramref name="host"/> with otherwise default options.</summary>
    public static Task<SmtpClient> ConnectAsync(string host, SmtpClientOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync((options ?? new SmtpClientOptions()) with { Host = [host] }, cancellationToken);

    /// <summary>The session actor, for callers who want to talk to it directly.</summary>
    public IActorRef Session => _session;

    /// <summary>The greeting the server sent on connect (Net::SMTP <c>banner</c>).</summary>
    public string Banner => _connected.Greeting.Text;

    /// <summary>The domain the server named in its greeting (Net::SMTP <c>domain</c>).</summary>
    public string? Domain => _connected.ServerDomain;

    /// <summary>The host entry that was connected to (Net::SMTP <c>host</c>).</summary>
    public string Host => _connected.Host.ToString();

    /// <summary>What the last EHLO advertised.</summary>
    public SmtpCapabilities Capabilities => _capabilities;

    /// <summary>True once TLS is up (implicit or STARTTLS).</summary>
    public bool IsEncrypted { get; private set; }

    /// <summary>The last reply from the server (Net::Cmd <c>code</c>/<c>message</c>).</summary>
    public SmtpReply? LastReply => _lastReply;

    /// <summary>The code of the last reply (Net::Cmd <c>code</c>).</summary>
    public int Code => _lastReply?.Code ?? 0;

    /// <summary>The text of the last reply (Net::Cmd <c>message</c>).</summary>
    public string Message => _lastReply?.Text ?? "";

    /// <summary>Whether TLS is available (Net::SMTP <c>can_ssl</c>): always, through SslStream.</summary>
    public static bool CanSsl => true;

    /// <summary>Whether IPv6 is available on this machine (Net::SMTP <c>can_inet6</c>).</summary>
    public static bool CanInet6 => Socket.OSSupportsIPv6;

    /// <summary>The parameter of an EHLO keyword, or null when the server did not advertise it (Net::SMTP <c>supports</c>);
    /// an advertised keyword without parameters gives "".</summary>
    public string? Supports(string keyword) => _capabilities.GetParameter(keyword);

    /// <summary>
    /// EHLO, or HELO after a 5xx (Net::SMTP <c>hello</c>). Returns what the server advertised. When the client was
    /// connected with <see cref="SmtpClientOptions.SendHello"/> off, the first hello also runs the STARTTLS the options
    /// ask for, so it is never skipped; a failure there ends the session.
    /// </summary>
    public async Task<SmtpCapabilities> HelloAsync(string? domain = null, CancellationToken cancellationToken = default)
    {
        if (domain is not null)
        {
            SmtpCommand.ValidateHelloDomain(domain, nameof(domain));
        }
        var greeted = await AskAsync<Greeted>(new Hello(domain), cancellationToken).ConfigureAwait(false);
        _lastReply = greeted.Reply;
        _capabilities = greeted.Capabilities;
        IsEncrypted = greeted.IsEncrypted; // with SendHello off, the first hello runs the configured STARTTLS
        return greeted.Capabilities;
    }

    /// <summary>STARTTLS and EHLO again (Net::SMTP <c>starttls</c>). Certificate validation follows <see cref="Sessions.MailClientOptions.Tls"/>.</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken = default)
    {
        var started = await AskAsync<TlsStarted>(SmtpSession.StartTls.Instance, cancellationToken).ConfigureAwait(false);
        _capabilities = started.Capabilities;
        IsEncrypted = true;
    }

    /// <summary>AUTH with the strongest offered mechanism (Net::SMTP <c>auth($user, $password)</c>).</summary>
    /// <exception cref="MailAuthenticationException">Refused, no usable mechanism, or no TLS without opting in to cleartext.</exception>
    public Task AuthAsync(string userName, string password, CancellationToken cancellationToken = default) =>
        AuthAsync(new SaslCredentials(userName, password), null, cancellationToken);

    /// <summary>AUTH with the given credentials and, optionally, a forced mechanism (Net::SMTP <c>auth($sasl)</c>).</summary>
    public async Task AuthAsync(SaslCredentials credentials, string? mechanism = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var done = await AskAsync<Authenticated>(new Authenticate(credentials, mechanism), cancellationToken).ConfigureAwait(false);
        _lastReply = done.Reply;
    }

    /// <summary>ETRN: asks the server to run its queue for <paramref name="domain"/> (Net::SMTP <c>etrn</c>).</summary>
    public Task<SmtpReply> EtrnAsync(string domain, CancellationToken cancellationToken = default)
    {
        WireText.EnsureSafe(domain, nameof(domain));
        return CommandExpectingSuccess(new Etrn(domain), cancellationToken);
    }

    /// <summary>MAIL FROM with Net::SMTP's options (Net::SMTP <c>mail</c>).</summary>
    public Task<SmtpReply> MailAsync(string address, MailOptions? options = null, CancellationToken cancellationToken = default) =>
        StartTransactionAsync(address, options, MailVerb.Mail, cancellationToken);

    /// <summary>SEND FROM (Net::SMTP <c>send</c>).</summary>
    public Task<SmtpReply> SendAsync(string address, CancellationToken cancellationToken = default) =>
        StartTransactionAsync(address, null, MailVerb.Send, cancellationToken);

    /// <summary>SOML FROM (Net::SMTP <c>send_or_mail</c>).</summary>
    public Task<SmtpReply> SendOrMailAsync(string address, CancellationToken cancellationToken = default) =>
        StartTransactionAsync(address, null, MailVerb.SendOrMail, cancellationToken);

    /// <summary>SAML FROM (Net::SMTP <c>send_and_mail</c>).</summary>
    public Task<SmtpReply> SendAndMailAsync(string address, CancellationToken cancellationToken = default) =>
        StartTransactionAsync(address, null, MailVerb.SendAndMail, cancellationToken);

    private Task<SmtpReply> StartTransactionAsync(string address, MailOptions? options, MailVerb verb, CancellationToken cancellationToken)
    {
        var path = ValidatePath(address, allowNull: true, nameof(address));
        var parameters = options?.ToParameters();
        var mail = new Mail(path, parameters, verb);
        return CommandExpectingSuccess(mail, cancellationToken);
    }

    /// <summary>RSET (Net::SMTP <c>reset</c>).</summary>
    public Task<SmtpReply> ResetAsync(CancellationToken cancellationToken = default) =>
        CommandExpectingSuccess(SmtpSession.Reset.Instance, cancellationToken);

    /// <summary>
    /// RCPT TO for each address in turn (Net::SMTP <c>recipient</c>). Without <see cref="RecipientOptions.SkipBad"/> the
    /// first refusal throws <see cref="SmtpCommandException"/> (no RSET is sent, as in Net::SMTP); with it, refused
    /// addresses are skipped. Returns the accepted addresses.
    /// </summary>
    public async Task<IReadOnlyList<string>> RecipientAsync(IEnumerable<string> addresses, RecipientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var list = addresses.ToArray();
        foreach (var address in list)
        {
            ValidatePath(address, allowNull: false, nameof(addresses));
        }
        var parameters = options?.ToParameters();
        var accepted = new List<string>(list.Length);
        foreach (var address in list)
        {
            var reply = await AskReplyAsync(new Recipient(address, parameters), cancellationToken).ConfigureAwait(false);
            if (reply.IsPositiveCompletion)
            {
                accepted.Add(address);
            }
            else if (options?.SkipBad != true)
            {
                throw new SmtpCommandException("RCPT", reply);
            }
        }
        return accepted;
    }

    /// <summary>RCPT TO for the given addresses (Net::SMTP <c>recipient</c>, without options).</summary>
    public Task<IReadOnlyList<string>> RecipientAsync(params string[] addresses) => RecipientAsync(addresses, null, CancellationToken.None);

    /// <summary>Synonym of <see cref="RecipientAsync(IEnumerable{string}, RecipientOptions?, CancellationToken)"/> (Net::SMTP <c>to</c>).</summary>
    public Task<IReadOnlyList<string>> ToAsync(params string[] addresses) => RecipientAsync(addresses, null, CancellationToken.None);

    /// <summary>Synonym of <see cref="RecipientAsync(IEnumerable{string}, RecipientOptions?, CancellationToken)"/> (Net::SMTP <c>cc</c>).</summary>
    public Task<IReadOnlyList<string>> CcAsync(params string[] addresses) => RecipientAsync(addresses, null, CancellationToken.None);

    /// <summary>Synonym of <see cref="RecipientAsync(IEnumerable{string}, RecipientOptions?, CancellationToken)"/> (Net::SMTP <c>bcc</c>).</summary>
    public Task<IReadOnlyList<string>> BccAsync(params string[] addresses) => RecipientAsync(addresses, null, CancellationToken.None);

    /// <summary>DATA with the whole message: line endings become CRLF, leading dots are doubled, the final dot is added
    /// (Net::SMTP <c>data($data)</c>). Returns the final reply.</summary>
    public Task<SmtpReply> DataAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        CommandExpectingSuccess(new Data(MessageContent.FromBytes(content)), cancellationToken);

    /// <summary>DATA with text, encoded as UTF-8.</summary>
    public Task<SmtpReply> DataAsync(string content, CancellationToken cancellationToken = default) =>
        DataAsync(Encoding.UTF8.GetBytes(content), cancellationToken);

    /// <summary>DATA streamed from <paramref name="content"/>, read front to back once; the stream is not disposed.</summary>
    public Task<SmtpReply> DataAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return CommandExpectingSuccess(new Data(MessageContent.FromStream(() => new NonClosingStream(content))), cancellationToken);
    }

    /// <summary>DATA alone (Net::SMTP <c>data()</c> without arguments): follow with <see cref="DataSendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
    /// and <see cref="DataEndAsync"/>.</summary>
    public Task<SmtpReply> DataAsync(CancellationToken cancellationToken = default) =>
        CommandExpectingSuccess(DataStart.Instance, cancellationToken);

    /// <summary>Sends a piece of content after <see cref="DataAsync(CancellationToken)"/> (Net::Cmd <c>datasend</c>).</summary>
    public async Task DataSendAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default) =>
        await AskAsync<DataWritten>(new DataSend(chunk), cancellationToken).ConfigureAwait(false);

    /// <summary>Sends text content after <see cref="DataAsync(CancellationToken)"/>, encoded as UTF-8 (Net::Cmd <c>datasend</c>).</summary>
    public Task DataSendAsync(string text, CancellationToken cancellationToken = default) =>
        DataSendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Ends streamed content (Net::Cmd <c>dataend</c>); returns the final reply.</summary>
    public Task<SmtpReply> DataEndAsync(CancellationToken cancellationToken = default) =>
        CommandExpectingSuccess(SmtpSession.DataEnd.Instance, cancellationToken);

    /// <summary>A BDAT chunk, sent as is (Net::SMTP <c>bdat</c>); needs CHUNKING.</summary>
    public Task<SmtpReply> BdatAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default) =>
        CommandExpectingSuccess(new Bdat(chunk, Last: false), cancellationToken);

    /// <summary>The last BDAT chunk (Net::SMTP <c>bdatlast</c>); returns the final reply.</summary>
    public Task<SmtpReply> BdatLastAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken = default) =>
        CommandExpectingSuccess(new Bdat(chunk, Last: true), cancellationToken);

    /// <summary>EXPN: the lines of the expansion, empty when refused (Net::SMTP <c>expand</c>).</summary>
    public async Task<IReadOnlyList<string>> ExpandAsync(string address, CancellationToken cancellationToken = default)
    {
        WireText.EnsureSafe(address, nameof(address));
        var reply = await AskReplyAsync(new Expand(address), cancellationToken).ConfigureAwait(false);
        return reply.IsPositiveCompletion ? reply.Lines : [];
    }

    /// <summary>VRFY: whether the server vouches for the address (Net::SMTP <c>verify</c>).</summary>
    public async Task<bool> VerifyAsync(string address, CancellationToken cancellationToken = default)
    {
        WireText.EnsureSafe(address, nameof(address));
        var reply = await AskReplyAsync(new Verify(address), cancellationToken).ConfigureAwait(false);
        return reply.IsPositiveCompletion;
    }

    /// <summary>HELP: the help text, or null when refused (Net::SMTP <c>help</c>).</summary>
    public async Task<string?> HelpAsync(string? topic = null, CancellationToken cancellationToken = default)
    {
        if (topic is not null)
        {
            WireText.EnsureSafe(topic, nameof(topic));
        }
        var reply = await AskReplyAsync(new Help(topic), cancellationToken).ConfigureAwait(false);
        return reply.Code is 211 or 214 ? reply.Text : null;
    }

    /// <summary>NOOP.</summary>
    public Task<SmtpReply> NoopAsync(CancellationToken cancellationToken = default) =>
        AskReplyAsync(SmtpSession.Noop.Instance, cancellationToken);

    /// <summary>Any single-reply command, validated (Net::Cmd <c>command</c> + <c>response</c>). Returns the reply whatever its code.</summary>
    public Task<SmtpReply> CommandAsync(string verb, params string[] arguments) =>
        AskReplyAsync(new Raw(SmtpCommand.Raw(verb, arguments)), CancellationToken.None);

    /// <summary>QUIT and close (Net::SMTP <c>quit</c>).</summary>
    public Task<SmtpReply> QuitAsync(CancellationToken cancellationToken = default) =>
        AskReplyAsync(SmtpSession.Quit.Instance, cancellationToken);

    /// <summary>
    /// Sends a whole message in one (pipelined) transaction with the envelope taken from its headers (see
    /// <see cref="MessageEnvelope.From(MimeKit.MimeMessage)"/>): Bcc is hidden, SIZE, 8BITMIME and SMTPUTF8 are used when
    /// the server offers them, BDAT only with <see cref="SmtpClientOptions.PreferChunking"/>, and 8-bit parts are
    /// re-encoded to 7-bit when 8BITMIME is missing (the <paramref name="message"/> is prepared in place). Partial
    /// refusal is a normal result: look at <see cref="SendResult.Refused"/>.
    /// </summary>
    /// <exception cref="MailNotSupportedException">An address needs SMTPUTF8 and the server does not offer it.</exception>
    public async Task<SendResult> SendMessageAsync(MimeKit.MimeMessage message, SendMessageOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var plan = MessagePreparation.Prepare(message, options ?? new SendMessageOptions(), _capabilities);
        var result = await AskAsync<TransactionResult>(plan.Transaction, cancellationToken).ConfigureAwait(false);
        _lastReply = result.DataReply ?? result.Recipients.LastOrDefault()?.Reply ?? result.MailReply;
        return SendResult.From(result);
    }

    /// <summary>Sends QUIT if the session is still open, then stops the session actor.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            var info = await _session.Ask<Info>(GetInfo.Instance, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (info.State is "Greeting" or "Ready" or "InTransaction")
            {
                await _session.Ask<SmtpReply>(SmtpSession.Quit.Instance, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is MailSessionClosedException or MailTimeoutException or TimeoutException or AskTimeoutException or MailStateException)
        {
            // Disposal is best effort: the connection is torn down below either way.
        }
        finally
        {
            _session.Tell(PoisonPill.Instance);
        }
    }

    // ---- plumbing ----

    private string ValidatePath(string address, bool allowNull, string paramName)
    {
        WireText.EnsureSafe(address, paramName); // the caller's parameter named in the error
        if (allowNull)
        {
            SmtpPath.ValidateSender(address, _options.ExactAddresses);
        }
        else
        {
            SmtpPath.ValidateRecipient(address, _options.ExactAddresses);
        }
        return address;
    }

    private async Task<SmtpReply> CommandExpectingSuccess(ICommand command, CancellationToken cancellationToken)
    {
        var reply = await AskReplyAsync(command, cancellationToken).ConfigureAwait(false);
        if (reply.IsPositiveCompletion || reply.IsPositiveIntermediate)
        {
            return reply;
        }
        throw new SmtpCommandException(command.Name, reply);
    }

    private async Task<SmtpReply> AskReplyAsync(ICommand command, CancellationToken cancellationToken)
    {
        var reply = await AskAsync<SmtpReply>(command, cancellationToken).ConfigureAwait(false);
        _lastReply = reply;
        return reply;
    }

    private async Task<T> AskAsync<T>(ICommand command, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return await _session.Ask<T>(command, _askTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps the caller's stream open when the session disposes what it read from.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
