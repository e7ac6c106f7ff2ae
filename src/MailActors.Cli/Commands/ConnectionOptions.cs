using System.CommandLine;
using System.CommandLine.Parsing;
using System.Security.Cryptography.X509Certificates;
using MailActors.Transport;

namespace MailActors.Cli.Commands;

/// <summary>Options every client command shares: where to connect, TLS, credentials, transcript.</summary>
internal sealed class ConnectionOptions
{
    public Option<string[]> Host { get; } = new("--host") { Description = "Server host (repeat for a list tried in turn); host or host:port", AllowMultipleArgumentsPerToken = false };
    public Option<int?> Port { get; } = new("--port") { Description = "Port for hosts that do not name one" };
    public Option<string> Tls { get; } = new("--tls") { Description = "none | starttls | starttls-when-available | implicit", DefaultValueFactory = _ => "none" };
    public Option<FileInfo?> TrustCertificate { get; } = new("--trust-cert") { Description = "PEM certificate to trust as an anchor (pinning a test or private CA certificate)" };
    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Do not validate the server certificate (testing only)" };
    public Option<string?> User { get; } = new("--user") { Description = "User name for AUTH" };
    public Option<string?> PasswordEnv { get; } = new("--password-env") { Description = "Name of the environment variable holding the password (never pass secrets on the command line)" };
    public Option<string?> Mechanism { get; } = new("--auth-mechanism") { Description = "Force a SASL mechanism (default: strongest offered)" };
    public Option<bool> AllowCleartextAuth { get; } = new("--allow-cleartext-auth") { Description = "Allow AUTH without TLS (loopback tests only)" };
    public Option<int> Timeout { get; } = new("--timeout") { Description = "Seconds to wait for each reply", DefaultValueFactory = _ => 120 };
    public Option<bool> Debug { get; } = new("--debug") { Description = "Print the protocol transcript (AUTH redacted)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Host, Port, Tls, TrustCertificate, Insecure, User, PasswordEnv, Mechanism, AllowCleartextAuth, Timeout, Debug })
        {
            command.Options.Add(option);
        }
        // An unknown mode is a usage error at parse time, not an exception from deep inside the run.
        Tls.Validators.Add(option =>
        {
            try
            {
                TlsModes.Parse(option.GetValueOrDefault<string>() ?? "none");
            }
            catch (FormatException e)
            {
                option.AddError(e.Message);
            }
        });
    }

    /// <summary>
    /// <c>--embedded-sink</c> picks the host and port of the server it starts: an explicit <c>--host</c> or
    /// <c>--port</c> beside it would be silently ignored, so it is an error instead.
    /// </summary>
    public void RefuseTargetWithEmbedded(CommandResult result, Option<bool> embedded)
    {
        if (result.GetValue(embedded) && (Given(result, Host) || Given(result, Port)))
        {
            result.AddError("--embedded-sink starts its own server on 127.0.0.1: leave out --host and --port.");
        }
    }

    /// <summary>Whether the user wrote <paramref name="option"/> (a default value does not count).</summary>
    public static bool Given(SymbolResult result, Option option) => result.GetResult(option) is { Implicit: false };

    public TlsOptions TlsOptions(ParseResult result)
    {
        var trust = result.GetValue(TrustCertificate);
        return new TlsOptions
        {
            AcceptAnyCertificate = result.GetValue(Insecure),
            TrustedCertificates = trust is null ? null : [X509CertificateLoader.LoadCertificateFromFile(trust.FullName)],
        };
    }

    public string? Password(ParseResult result)
    {
        var variable = result.GetValue(PasswordEnv);
        if (variable is null)
        {
            return null;
        }
        return Environment.GetEnvironmentVariable(variable)
            ?? throw new CliUsageException($"The environment variable {variable} (from --password-env) is not set.");
    }
}

/// <summary>A mistake in the command line; reported with exit code 1.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
