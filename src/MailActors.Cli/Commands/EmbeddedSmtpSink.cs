using MailActors.Testing;
using MailActors.Transport;

namespace MailActors.Cli.Commands;

/// <summary>
/// The in-process SMTP server behind <c>--embedded-sink</c>. It offers the TLS the command asked for and knows the
/// <c>--user</c>, so that a run against it goes through the same steps (STARTTLS or implicit TLS, AUTH) as against a
/// real server; the client trusts exactly the certificate it generated.
/// </summary>
internal static class EmbeddedSmtpSink
{
    public static async Task<(SmtpTestServer Server, TlsOptions Tls)> StartAsync(
        TlsMode tlsMode, string? user, string? password, TlsOptions tls, bool record, TimeSpan? idleTimeout, CancellationToken ct)
    {
        var options = new SmtpTestServerOptions
        {
            Record = record,
            StartTls = tlsMode is TlsMode.StartTls or TlsMode.StartTlsWhenAvailable,
            ImplicitTls = tlsMode == TlsMode.Implicit,
            AuthMechanisms = user is null ? [] : ["PLAIN", "LOGIN"],
            Users = user is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [user] = password! },
        };
        var server = await SmtpTestServer.StartAsync(idleTimeout is { } idle ? options with { IdleTimeout = idle } : options, ct).ConfigureAwait(false);
        return (server, tls with { TrustedCertificates = [server.Certificate], TargetHost = "localhost" });
    }
}
