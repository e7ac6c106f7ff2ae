using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Transport;

namespace MailActors.Pop3;

/// <summary>
/// The message protocol of <see cref="Pop3SessionActor"/>. Every command gets exactly one reply message: the type named
/// on the command, or <c>Status.Failure</c> carrying a typed exception — <see cref="Pop3CommandException"/> for a
/// <c>-ERR</c> (with the server's text and response code), <see cref="MailStateException"/> when the command is not legal
/// in the current RFC 1939 state (refused without touching the wire), or a session-ending
/// <see cref="MailActors.Protocol.MailProtocolException"/>, <see cref="MailTimeoutException"/> or
/// <see cref="MailSessionClosedException"/>. Commands sent while another is in progress wait their turn.
/// </summary>
public static class Pop3Session
{
    /// <summary>Marker for the commands a session accepts.</summary>
    public interface ICommand : Sessions.ISessionCommand;

    // ---- connecting and the AUTHORIZATION state ----

    /// <summary>Open the connection (host list in turn), read the <c>+OK</c> greeting, ask CAPA, upgrade with STLS and
    /// log in as the settings say. Reply: <see cref="Connected"/>.</summary>
    public sealed record Connect : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Connect Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "CONNECT";
    }

    /// <summary>Reply to <see cref="Connect"/>.</summary>
    /// <param name="Host">The host entry that answered.</param>
    /// <param name="Greeting">The greeting (Net::POP3 <c>banner</c>).</param>
    /// <param name="ApopTimestamp">The APOP timestamp in the greeting, null when the server offers no APOP.</param>
    /// <param name="Capabilities">What CAPA listed (empty when the server does not know CAPA or it was not asked).</param>
    /// <param name="IsEncrypted">True when TLS is up.</param>
    /// <param name="Login">The login performed during connect, when the settings carry credentials.</param>
    public sealed record Connected(ServerAddress Host, Pop3Response Greeting, string? ApopTimestamp, Pop3Capabilities Capabilities, bool IsEncrypted, LoggedIn? Login);

    /// <summary>CAPA (RFC 2449), legal in AUTHORIZATION and TRANSACTION. Reply: <see cref="CapabilitiesRead"/>.</summary>
    public sealed record Capa : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Capa Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "CAPA";
    }

    /// <summary>Reply to <see cref="Capa"/>.</summary>
    public sealed record CapabilitiesRead(Pop3Capabilities Capabilities, Pop3Response Response);

    /// <summary>STLS (RFC 2595), the TLS handshake, and CAPA again. AUTHORIZATION only. Reply: <see cref="TlsStarted"/>.</summary>
    public sealed record StartTls : ICommand
    {
        /// <summary>The single instance.</summary>
        public static StartTls Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "STLS";
    }

    /// <summary>Reply to <see cref="StartTls"/>.</summary>
    public sealed record TlsStarted(Pop3Capabilities Capabilities, string Protocol, string CipherSuite);

    /// <summary>UTF8 (RFC 6856): from here on the maildrop's messages may be UTF-8, and so may the user name and password
    /// when CAPA lists <c>UTF8 USER</c> (<see cref="Pop3Capabilities.Utf8User"/>). AUTHORIZATION only (before login); refused
    /// without touching the wire when CAPA was answered without UTF8. STLS is refused once UTF8 is on (RFC 6856 §2).
    /// Reply: <see cref="Pop3Response"/>.</summary>
    public sealed record EnableUtf8 : ICommand
    {
        /// <summary>The single instance.</summary>
        public static EnableUtf8 Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "UTF8";
    }

    /// <summary>LANG without an argument (RFC 6856): the languages the server can answer in. AUTHORIZATION and TRANSACTION;
    /// refused without touching the wire when CAPA was answered without LANG. Reply: <see cref="Languages"/>.</summary>
    public sealed record ListLanguages : ICommand
    {
        /// <summary>The single instance.</summary>
        public static ListLanguages Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "LANG";
    }

    /// <summary>Reply to <see cref="ListLanguages"/>: the languages in the server's order, and its status line.</summary>
    public sealed record Languages(IReadOnlyList<Pop3Language> Available, Pop3Response Response);

    /// <summary>LANG tag (RFC 6856): the server's response texts are in that language from here on; <c>*</c> asks for its
    /// default. AUTHORIZATION and TRANSACTION; refused without touching the wire when CAPA was answered without LANG or
    /// the tag is not a language range. Reply: <see cref="Pop3Response"/> (its text already in the new language).</summary>
    /// <param name="Tag">A language range: letters, digits and '-' (<c>de-CH</c>), or <c>*</c>.</param>
    public sealed record SetLanguage(string Tag) : ICommand
    {
        /// <inheritdoc />
        public string Name => "LANG";
    }

    /// <summary>USER. Reply: <see cref="Pop3Response"/>; a <c>+OK</c> makes <see cref="Pass"/> legal.</summary>
    public sealed record User(string UserName) : ICommand
    {
        /// <inheritdoc />
        public string Name => "USER";
    }

    /// <summary>PASS, only after an accepted <see cref="User"/>. Reply: <see cref="LoggedIn"/>; the session enters TRANSACTION.</summary>
    public sealed record Pass(string Password) : ICommand
    {
        /// <inheritdoc />
        public string Name => "PASS";
    }

    /// <summary>USER then PASS (Net::POP3 <c>login</c>). Reply: <see cref="LoggedIn"/>.</summary>
    public sealed record Login(string UserName, string Password) : ICommand
    {
        /// <inheritdoc />
        public string Name => "LOGIN";
    }

    /// <summary>APOP with the greeting's timestamp (RFC 1939 §7). Reply: <see cref="LoggedIn"/>.</summary>
    public sealed record Apop(string UserName, string Password) : ICommand
    {
        /// <inheritdoc />
        public string Name => "APOP";
    }

    /// <summary>AUTH with SASL (RFC 5034). Reply: <see cref="LoggedIn"/>.</summary>
    /// <param name="Credentials">User name and password (or OAuth token).</param>
    /// <param name="Mechanism">A mechanism to force; the strongest one offered when null.</param>
    public sealed record Authenticate(SaslCredentials Credentials, string? Mechanism = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "AUTH";
    }

    /// <summary>Reply to the login commands: the session is in TRANSACTION.</summary>
    /// <param name="Method"><c>USER</c>, <c>APOP</c> or <c>AUTH mechanism</c>.</param>
    /// <param name="Response">The server's <c>+OK</c>.</param>
    /// <param name="MessageCount">The message count when the server put it in its reply (as Net::POP3 reads it); null otherwise.</param>
    public sealed record LoggedIn(string Method, Pop3Response Response, int? MessageCount);

    // ---- the TRANSACTION state ----

    /// <summary>STAT. Reply: <see cref="MailboxStatus"/>.</summary>
    public sealed record Stat : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Stat Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "STAT";
    }

    /// <summary>Reply to <see cref="Stat"/>: undeleted messages and their total size.</summary>
    public sealed record MailboxStatus(int Count, long Size);

    /// <summary>LIST, of one message or all. Reply: <see cref="Listing"/>.</summary>
    public sealed record List(int? MessageNumber = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "LIST";
    }

    /// <summary>A message number and its size in octets.</summary>
    public sealed record MessageSize(int Number, long Size);

    /// <summary>Reply to <see cref="List"/>: one entry for <c>LIST n</c>, every undeleted message otherwise.</summary>
    public sealed record Listing(IReadOnlyList<MessageSize> Messages);

    /// <summary>UIDL, of one message or all. Reply: <see cref="UniqueIds"/>.</summary>
    public sealed record Uidl(int? MessageNumber = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "UIDL";
    }

    /// <summary>A message number and its unique id.</summary>
    public sealed record MessageUid(int Number, string Uid);

    /// <summary>Reply to <see cref="Uidl"/>.</summary>
    public sealed record UniqueIds(IReadOnlyList<MessageUid> Messages);

    /// <summary>RETR. Reply: <see cref="MessageRetrieved"/>, or <see cref="MessageStreaming"/> for <see cref="MessageTarget.Streamed"/>.</summary>
    public sealed record Retrieve(int MessageNumber, MessageTarget? Target = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "RETR";
    }

    /// <summary>TOP: the headers and the first <paramref name="Lines"/> body lines. Replies as <see cref="Retrieve"/>.</summary>
    public sealed record Top(int MessageNumber, int Lines, MessageTarget? Target = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "TOP";
    }

    /// <summary>Reply to <see cref="Retrieve"/> and <see cref="Top"/> into memory or a destination stream.</summary>
    /// <param name="Number">The message number.</param>
    /// <param name="Response">The <c>+OK</c> that opened the content.</param>
    /// <param name="Content">The un-stuffed content (CRLF line endings as sent); empty when it went to a destination stream.</param>
    /// <param name="Octets">Octets of content delivered.</param>
    public sealed record MessageRetrieved(int Number, Pop3Response Response, ReadOnlyMemory<byte> Content, long Octets);

    /// <summary>
    /// Reply to <see cref="Retrieve"/> and <see cref="Top"/> with <see cref="MessageTarget.Streamed"/>, sent as soon as the
    /// <c>+OK</c> arrives: <paramref name="Body"/> yields the content as it comes off the wire and ends at the final dot.
    /// The session serves nothing else until the body has been read to its end or disposed.
    /// </summary>
    public sealed record MessageStreaming(int Number, Pop3Response Response, Stream Body);

    /// <summary>RETR of several messages, pipelined when the server offers PIPELINING. Reply: <see cref="MessagesRetrieved"/>;
    /// a <c>-ERR</c> for one message does not fail the others.</summary>
    public sealed record RetrieveMany(IReadOnlyList<int> MessageNumbers) : ICommand
    {
        /// <inheritdoc />
        public string Name => "RETR";
    }

    /// <summary>One message of <see cref="RetrieveMany"/>: its content, or null with the <c>-ERR</c>.</summary>
    public sealed record RetrievedMessage(int Number, Pop3Response Response, ReadOnlyMemory<byte>? Content);

    /// <summary>Reply to <see cref="RetrieveMany"/>, in request order.</summary>
    public sealed record MessagesRetrieved(IReadOnlyList<RetrievedMessage> Messages);

    /// <summary>DELE: marks a message deleted; QUIT commits. Reply: <see cref="Pop3Response"/>.</summary>
    public sealed record Delete(int MessageNumber) : ICommand
    {
        /// <inheritdoc />
        public string Name => "DELE";
    }

    /// <summary>DELE of several messages, pipelined when the server offers PIPELINING. Reply: <see cref="DeleteResults"/>.</summary>
    public sealed record DeleteMany(IReadOnlyList<int> MessageNumbers) : ICommand
    {
        /// <inheritdoc />
        public string Name => "DELE";
    }

    /// <summary>One message of <see cref="DeleteMany"/> and the response that decided it.</summary>
    public sealed record DeleteResult(int Number, Pop3Response Response)
    {
        /// <summary>True when the server marked the message deleted.</summary>
        public bool Deleted => Response.IsOk;
    }

    /// <summary>Reply to <see cref="DeleteMany"/>, in request order.</summary>
    public sealed record DeleteResults(IReadOnlyList<DeleteResult> Messages);

    /// <summary>RSET: un-marks every deleted message. Reply: <see cref="Pop3Response"/>.</summary>
    public sealed record Reset : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Reset Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "RSET";
    }

    /// <summary>NOOP. Reply: <see cref="Pop3Response"/>.</summary>
    public sealed record Noop : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Noop Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "NOOP";
    }

    /// <summary>LAST (RFC 1460): the highest message number accessed. Reply: <see cref="LastAccessed"/>.</summary>
    public sealed record Last : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Last Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "LAST";
    }

    /// <summary>Reply to <see cref="Last"/>.</summary>
    public sealed record LastAccessed(int MessageNumber);

    /// <summary>Any command built with <see cref="Pop3Command.Raw(string, string[])"/> (Net::POP3 <c>ping</c>, <c>XTND</c>...),
    /// legal in AUTHORIZATION and TRANSACTION. Reply: <see cref="RawReply"/>, whatever the status.</summary>
    public sealed record Raw(Pop3Command Command) : ICommand
    {
        /// <inheritdoc />
        public string Name => Command.Verb;
    }

    /// <summary>Reply to <see cref="Raw"/>: the status line and, for a multi-line <c>+OK</c>, the body lines.</summary>
    public sealed record RawReply(Pop3Response Response, IReadOnlyList<string>? Lines);

    /// <summary>QUIT: from TRANSACTION the server enters UPDATE and removes the messages marked deleted. Reply: <see cref="Pop3Response"/>.</summary>
    public sealed record Quit : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Quit Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "QUIT";
    }

    /// <summary>Asks for a snapshot of the session. Reply: <see cref="Info"/>; legal in every state.</summary>
    public sealed record GetInfo : ICommand
    {
        /// <summary>The single instance.</summary>
        public static GetInfo Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "INFO";
    }

    /// <summary>Reply to <see cref="GetInfo"/>.</summary>
    /// <param name="State"><c>Disconnected</c>, <c>Connecting</c>, <c>Authorization</c>, <c>Transaction</c>, <c>Update</c> (QUIT in flight) or <c>Closed</c>.</param>
    /// <param name="Host">The host connected to.</param>
    /// <param name="Greeting">The server's greeting.</param>
    /// <param name="Capabilities">What the last CAPA listed.</param>
    /// <param name="IsEncrypted">True when TLS is up.</param>
    /// <param name="AuthenticatedAs">The user logged in as.</param>
    /// <param name="LastResponse">The last status line received.</param>
    /// <param name="PendingDeletes">Messages marked deleted in this session and not reset.</param>
    public sealed record Info(string State, ServerAddress? Host, Pop3Response? Greeting, Pop3Capabilities Capabilities, bool IsEncrypted,
        string? AuthenticatedAs, Pop3Response? LastResponse, IReadOnlyCollection<int> PendingDeletes);
}
