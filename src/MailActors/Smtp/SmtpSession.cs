using MailActors.Protocol.Sasl;
using MailActors.Protocol.Smtp;
using MailActors.Transport;

namespace MailActors.Smtp;

/// <summary>
/// The message protocol of <see cref="SmtpSessionActor"/>. Every command gets exactly one reply message: the type
/// named on the command, or <c>Status.Failure</c> carrying a typed exception (<see cref="MailStateException"/> when the
/// command is not legal in the current state — refused without touching the wire — or a session-ending
/// <see cref="MailActors.Protocol.MailProtocolException"/>, <see cref="MailTimeoutException"/>, <see cref="MailSessionClosedException"/>).
/// Commands sent while another is in progress wait their turn; the session serialises them.
/// </summary>
public static class SmtpSession
{
    /// <summary>Marker for the commands a session accepts.</summary>
    public interface ICommand : Sessions.ISessionCommand;

    /// <summary>Open the connection (host list in turn), read the greeting, and unless <c>SendHello</c> is off, greet,
    /// upgrade to TLS and authenticate as the settings say. Reply: <see cref="Connected"/>.</summary>
    public sealed record Connect : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Connect Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "CONNECT";
    }

    /// <summary>Reply to <see cref="Connect"/>.</summary>
    /// <param name="Host">The host entry that answered.</param>
    /// <param name="Greeting">The 220 greeting (Net::SMTP <c>banner</c>).</param>
    /// <param name="ServerDomain">The first word of the greeting (Net::SMTP <c>domain</c>).</param>
    /// <param name="Capabilities">What EHLO advertised (empty when no hello was sent or HELO was used).</param>
    /// <param name="IsEncrypted">True when TLS is up.</param>
    /// <param name="AuthenticatedAs">The user name, when authenticated during connect.</param>
    public sealed record Connected(ServerAddress Host, SmtpReply Greeting, string? ServerDomain, SmtpCapabilities Capabilities, bool IsEncrypted, string? AuthenticatedAs)
    {
        /// <summary>The last reply of the connect: the hello's (or AUTH's) answer, or the greeting when no hello was sent.</summary>
        public SmtpReply LastReply { get; init; } = Greeting;
    }

    /// <summary>EHLO, falling back to HELO when EHLO gets a 5xx (as Net::SMTP does). Reply: <see cref="Greeted"/>.</summary>
    /// <param name="Domain">The client's domain; the configured hello domain when null.</param>
    public sealed record Hello(string? Domain = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "EHLO";
    }

    /// <summary>
    /// Reply to <see cref="Hello"/>. The first hello of a session connected with <c>SendHello</c> off also runs the
    /// STARTTLS and AUTH its settings ask for: <paramref name="Capabilities"/> are then those advertised after TLS, and
    /// <paramref name="IsEncrypted"/> and <paramref name="AuthenticatedAs"/> say what followed.
    /// </summary>
    public sealed record Greeted(SmtpReply Reply, SmtpCapabilities Capabilities, bool UsedHelo, bool IsEncrypted = false, string? AuthenticatedAs = null);

    /// <summary>STARTTLS, the TLS handshake, and EHLO again (RFC 3207). Reply: <see cref="TlsStarted"/>.</summary>
    public sealed record StartTls : ICommand
    {
        /// <summary>The single instance.</summary>
        public static StartTls Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "STARTTLS";
    }

    /// <summary>Reply to <see cref="StartTls"/>.</summary>
    public sealed record TlsStarted(SmtpCapabilities Capabilities, string Protocol, string CipherSuite);

    /// <summary>AUTH with SASL. Reply: <see cref="Authenticated"/>, or a failure carrying <see cref="MailAuthenticationException"/>.</summary>
    /// <param name="Credentials">User name and password (or OAuth token).</param>
    /// <param name="Mechanism">A mechanism to force; the strongest one offered when null.</param>
    public sealed record Authenticate(SaslCredentials Credentials, string? Mechanism = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "AUTH";
    }

    /// <summary>Reply to <see cref="Authenticate"/>.</summary>
    public sealed record Authenticated(string Mechanism, SmtpReply Reply);

    /// <summary>Which command starts a transaction (RFC 821's SEND, SOML, SAML survive in Net::SMTP).</summary>
    public enum MailVerb
    {
        /// <summary>MAIL FROM.</summary>
        Mail,
        /// <summary>SEND FROM.</summary>
        Send,
        /// <summary>SOML FROM.</summary>
        SendOrMail,
        /// <summary>SAML FROM.</summary>
        SendAndMail,
    }

    /// <summary>MAIL FROM (or SEND/SOML/SAML). Reply: <see cref="SmtpReply"/>; a 2xx opens the transaction.</summary>
    /// <param name="Sender">Address or path; extracted from <c>Name &lt;addr&gt;</c> unless ExactAddresses.</param>
    /// <param name="Parameters">ESMTP parameters, checked against what the server advertised.</param>
    /// <param name="Verb">MAIL, or one of RFC 821's SEND, SOML, SAML.</param>
    public sealed record Mail(string Sender, MailParameters? Parameters = null, MailVerb Verb = MailVerb.Mail) : ICommand
    {
        /// <inheritdoc />
        public string Name => Verb switch { MailVerb.Send => "SEND", MailVerb.SendOrMail => "SOML", MailVerb.SendAndMail => "SAML", _ => "MAIL" };
    }

    /// <summary>RCPT TO. Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Recipient(string Address, RecipientParameters? Parameters = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "RCPT";
    }

    /// <summary>DATA with the whole content: 354, the dot-stuffed content, the final reply. Reply: the final <see cref="SmtpReply"/>
    /// (or the refusal of DATA itself).</summary>
    public sealed record Data(MessageContent Content) : ICommand
    {
        /// <inheritdoc />
        public string Name => "DATA";
    }

    /// <summary>DATA alone, for streaming with <see cref="DataSend"/> and <see cref="DataEnd"/> (Net::Cmd datasend/dataend). Reply: <see cref="SmtpReply"/> (354).</summary>
    public sealed record DataStart : ICommand
    {
        /// <summary>The single instance.</summary>
        public static DataStart Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "DATA";
    }

    /// <summary>A piece of content after <see cref="DataStart"/>; encoded and written before the reply. Reply: <see cref="DataWritten"/>.</summary>
    public sealed record DataSend(ReadOnlyMemory<byte> Chunk) : ICommand
    {
        /// <inheritdoc />
        public string Name => "DATASEND";
    }

    /// <summary>Reply to <see cref="DataSend"/>: octets written so far after encoding.</summary>
    public sealed record DataWritten(long BytesWritten);

    /// <summary>Ends streamed content with the final <c>.</c>. Reply: the final <see cref="SmtpReply"/>.</summary>
    public sealed record DataEnd : ICommand
    {
        /// <summary>The single instance.</summary>
        public static DataEnd Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "DATAEND";
    }

    /// <summary>One BDAT chunk (RFC 3030), sent as given. Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Bdat(ReadOnlyMemory<byte> Chunk, bool Last) : ICommand
    {
        /// <inheritdoc />
        public string Name => "BDAT";
    }

    /// <summary>One recipient of a <see cref="Transaction"/>.</summary>
    public sealed record TransactionRecipient(string Address, RecipientParameters? Parameters = null);

    /// <summary>
    /// A whole mail transaction, pipelined when the server allows: MAIL, every RCPT and DATA in one write, then the
    /// content (DATA, or BDAT chunks when chunking is chosen). Refused recipients do not fail the transaction; the
    /// content goes to the accepted ones. Reply: <see cref="TransactionResult"/>.
    /// </summary>
    public sealed record Transaction(string Sender, IReadOnlyList<TransactionRecipient> Recipients, MessageContent Content, MailParameters? Parameters = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "TRANSACTION";
    }

    /// <summary>A recipient and the reply that decided it.</summary>
    public sealed record RecipientReply(string Address, SmtpReply Reply)
    {
        /// <summary>True when the server accepted the recipient.</summary>
        public bool Accepted => Reply.IsPositiveCompletion;
    }

    /// <summary>Reply to <see cref="Transaction"/>.</summary>
    /// <param name="MailReply">Reply to MAIL FROM.</param>
    /// <param name="Recipients">Each recipient's RCPT reply, in order.</param>
    /// <param name="DataReply">The final reply after the content, null when the content was never sent.</param>
    /// <param name="UsedChunking">True when BDAT carried the content.</param>
    public sealed record TransactionResult(SmtpReply MailReply, IReadOnlyList<RecipientReply> Recipients, SmtpReply? DataReply, bool UsedChunking)
    {
        /// <summary>True when the server took responsibility for the message for at least one recipient.</summary>
        public bool Delivered => DataReply is { IsPositiveCompletion: true } && Recipients.Any(r => r.Accepted);
    }

    /// <summary>RSET. Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Reset : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Reset Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "RSET";
    }

    /// <summary>NOOP. Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Noop : ICommand
    {
        /// <summary>The single instance.</summary>
        public static Noop Instance { get; } = new();
        /// <inheritdoc />
        public string Name => "NOOP";
    }

    /// <summary>VRFY. Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Verify(string Address) : ICommand
    {
        /// <inheritdoc />
        public string Name => "VRFY";
    }

    /// <summary>EXPN. Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Expand(string Address) : ICommand
    {
        /// <inheritdoc />
        public string Name => "EXPN";
    }

    /// <summary>HELP. Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Help(string? Topic = null) : ICommand
    {
        /// <inheritdoc />
        public string Name => "HELP";
    }

    /// <summary>ETRN (RFC 1985). Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Etrn(string Domain) : ICommand
    {
        /// <inheritdoc />
        public string Name => "ETRN";
    }

    /// <summary>Any single-reply command built with <see cref="SmtpCommand.Raw"/> (Net::Cmd <c>command</c>). Reply: <see cref="SmtpReply"/>.</summary>
    public sealed record Raw(SmtpCommand Command) : ICommand
    {
        /// <inheritdoc />
        public string Name => Command.Verb;
    }

    /// <summary>QUIT and close. Reply: <see cref="SmtpReply"/> (a synthetic 221 when the server hung up first).</summary>
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
    public sealed record Info(string State, ServerAddress? Host, SmtpReply? Greeting, SmtpCapabilities Capabilities, bool IsEncrypted, string? AuthenticatedAs, SmtpReply? LastReply);
}
