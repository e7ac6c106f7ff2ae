namespace MailActors.Protocol.Pop3;

/// <summary>The server's message retention policy from the <c>EXPIRE</c> capability (RFC 2449 §6.7).</summary>
/// <param name="Days">
/// Days a retrieved message is kept before the server may delete it; 0 means it is deleted as soon as it has been
/// retrieved; null means <c>NEVER</c> (kept until the client deletes it).
/// </param>
/// <param name="PerUser">
/// True when announced as <c>EXPIRE n USER</c> before login: the value may differ per user, so ask CAPA again after login.
/// </param>
public sealed record Pop3ExpirePolicy(int? Days, bool PerUser)
{
    /// <summary>True for <c>EXPIRE NEVER</c>.</summary>
    public bool Never => Days is null;

    /// <summary>True for <c>EXPIRE 0</c>: retrieved messages are deleted even without DELE, so leaving mail on the server is not possible.</summary>
    public bool DeletesOnRetrieval => Days == 0;
}
