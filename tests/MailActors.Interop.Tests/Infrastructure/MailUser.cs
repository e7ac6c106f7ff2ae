namespace MailActors.Interop.Tests.Infrastructure;

/// <summary>A mailbox on the real servers: SASL/POP3 login <paramref name="Name"/>, mail address <paramref name="Address"/>.</summary>
/// <param name="Name">Login name for SMTP AUTH and POP3 (e.g. <c>alice</c>).</param>
/// <param name="Password">Plain-text password (stored <c>{PLAIN}</c>, so APOP and CRAM-MD5 work).</param>
/// <param name="Address">Mail address whose mail lands in this user's maildir (e.g. <c>alice@example.test</c>).</param>
public sealed record MailUser(string Name, string Password, string Address);
