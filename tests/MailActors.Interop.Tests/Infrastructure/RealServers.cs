using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Interop.Tests.Infrastructure;

/// <summary>
/// Collection fixture for the real mail servers on 127.0.0.1: private Postfix (SMTP, SMTPS, submission), smtp-sink and
/// Dovecot (POP3, POP3S) instances started by <c>scripts/servers/start.sh</c>. Starting is idempotent and cheap when they
/// already run. A start failure fails the tests with the script's output; these tests are never skipped.
/// Ports, users and passwords come from <c>scripts/servers/ports.env</c>.
/// </summary>
public sealed class RealServers : IAsyncLifetime
{
    /// <summary>Name of the xunit collection that shares this fixture.</summary>
    public const string CollectionName = "real-servers";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private const string StateDirectoryMarker = "MAILACTORS_SERVERS_DIR=";

    private readonly PortsFile _ports;
    private X509Certificate2? _certificate;
    private string? _stateDirectory;

    /// <summary>Reads the endpoint definitions; the servers start in <see cref="InitializeAsync"/>.</summary>
    public RealServers()
    {
        RepositoryRootPath = RepositoryRoot.Find();
        _ports = PortsFile.Load(Path.Combine(RepositoryRootPath, "scripts", "servers", "ports.env"));
        Host = _ports.Get("HOST");
        Smtp = _ports.GetInt("SMTP_PORT");
        SmtpTls = _ports.GetInt("SMTPS_PORT");
        Submission = _ports.GetInt("SUBMISSION_PORT");
        Sink = _ports.GetInt("SINK_PORT");
        Pop3 = _ports.GetInt("POP3_PORT");
        Pop3s = _ports.GetInt("POP3S_PORT");
        Domain = _ports.Get("MAIL_DOMAIN");
        MessageSizeLimit = _ports.GetInt("MESSAGE_SIZE_LIMIT");
        BounceAfterAcceptAddress = _ports.Get("BOUNCE_AFTER_ACCEPT");
        DiscardAddress = _ports.Get("DISCARD_ADDRESS");
        Utf8AliasAddress = _ports.Get("UTF8_ALIAS");
        Users = _ports.Get("USERS")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(name => new MailUser(name, _ports.Get($"{name.ToUpperInvariant()}_PASSWORD"), $"{name}@{Domain}"))
            .ToList();
    }

    /// <summary>Root of the repository checkout (the directory holding <c>MailActors.sln</c>).</summary>
    public string RepositoryRootPath { get; }

    /// <summary>Address every server listens on: <c>127.0.0.1</c>.</summary>
    public string Host { get; }

    /// <summary>Postfix SMTP (2525): STARTTLS optional; AUTH offered before and after TLS.</summary>
    public int Smtp { get; }

    /// <summary>Postfix SMTP over implicit TLS (2465, wrapper mode).</summary>
    public int SmtpTls { get; }

    /// <summary>Postfix strict submission (2587): STARTTLS required, AUTH only after TLS, sending only when authenticated.</summary>
    public int Submission { get; }

    /// <summary>smtp-sink discard server (2526): no STARTTLS, SIZE or CHUNKING; ends EHLO with a bare <c>250 </c> line.</summary>
    public int Sink { get; }

    /// <summary>Dovecot POP3 (1110) with STLS, USER/PASS, APOP and SASL PLAIN/LOGIN/CRAM-MD5.</summary>
    public int Pop3 { get; }

    /// <summary>Dovecot POP3 over implicit TLS (1995).</summary>
    public int Pop3s { get; }

    /// <summary>The virtual mail domain Postfix delivers locally: <c>example.test</c>.</summary>
    public string Domain { get; }

    /// <summary>Postfix <c>message_size_limit</c> (advertised as <c>SIZE</c>); larger messages get 552 5.3.4.</summary>
    public int MessageSizeLimit { get; }

    /// <summary>An address Postfix accepts at RCPT time and bounces afterwards (5.1.1), sending a DSN to the sender.</summary>
    public string BounceAfterAcceptAddress { get; }

    /// <summary>An address Postfix accepts and queues, then discards: for bulk runs that must not fill maildirs.</summary>
    public string DiscardAddress { get; }

    /// <summary>A UTF-8 address (needs SMTPUTF8) that is an alias delivered into <see cref="Alice"/>'s maildir.</summary>
    public string Utf8AliasAddress { get; }

    /// <summary>All mailbox users (alice, bob, bounce).</summary>
    public IReadOnlyList<MailUser> Users { get; }

    /// <summary>User <c>alice</c>.</summary>
    public MailUser Alice => User("alice");

    /// <summary>User <c>bob</c>.</summary>
    public MailUser Bob => User("bob");

    /// <summary>User <c>bounce</c>, a mailbox meant as envelope sender of messages whose DSNs a test inspects.</summary>
    public MailUser Bounce => User("bounce");

    /// <summary>State directory of the instance serving the ports (certificate, maildirs, logs).</summary>
    public string StateDirectory => _stateDirectory ?? throw NotStarted();

    /// <summary>The servers' self-signed certificate (CN=localhost, SAN localhost and 127.0.0.1, CA:TRUE), for pinning.</summary>
    public X509Certificate2 Certificate => _certificate ?? throw NotStarted();

    /// <summary>The Postfix log, for diagnostics in failure messages.</summary>
    public PostfixLog PostfixLog => new(Path.Combine(StateDirectory, "logs", "postfix.log"));

    /// <summary>Path of the Dovecot log.</summary>
    public string DovecotLogPath => Path.Combine(StateDirectory, "logs", "dovecot.log");

    /// <summary>The user called <paramref name="name"/>.</summary>
    public MailUser User(string name) =>
        Users.FirstOrDefault(user => user.Name == name) ?? throw new ArgumentException($"no user {name}", nameof(name));

    /// <summary>The maildir (holding <c>new/</c>, <c>cur/</c>, <c>tmp/</c>) Postfix delivers <paramref name="user"/>'s mail to.</summary>
    /// <param name="user">A login name such as <c>alice</c> or an address such as <c>alice@example.test</c>.</param>
    public string MaildirOf(string user)
    {
        var name = user.Split('@')[0];
        return Path.Combine(StateDirectory, "mail", Domain, User(name).Name, "Maildir");
    }

    /// <summary>
    /// Polls <paramref name="user"/>'s maildir (<c>new/</c> and <c>cur/</c>, since POP3 sessions move messages) until at
    /// least <paramref name="minimumCount"/> delivered messages satisfy <paramref name="predicate"/>, which receives the
    /// raw message text. Delivery is asynchronous, so tests that send and then check must wait with this.
    /// </summary>
    /// <returns>Paths of all matching message files at the moment the condition held.</returns>
    /// <exception cref="TimeoutException">Not enough matches within <paramref name="timeout"/>; carries the Postfix log tail.</exception>
    public async Task<string[]> WaitForMaildirMessagesAsync(
        string user, Func<string, bool> predicate, TimeSpan timeout, int minimumCount = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var maildir = MaildirOf(user);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var matches = await MatchingMessagesAsync(maildir, predicate, deadline.Token);
                if (matches.Length >= minimumCount)
                {
                    return matches;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"fewer than {minimumCount} matching message(s) in {maildir} after {timeout}.\n" +
                $"--- tail of {PostfixLog.Path} ---\n{await PostfixLog.TailAsync(cancellationToken: CancellationToken.None)}");
        }
    }

    /// <summary>
    /// Certificate check for <see cref="SslStream"/> that trusts exactly <see cref="Certificate"/> as root, keeps the
    /// host-name check, and rejects everything else.
    /// </summary>
    public bool ValidatePinnedCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var pinnedChain = new X509Chain();
        pinnedChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        pinnedChain.ChainPolicy.CustomTrustStore.Add(Certificate);
        pinnedChain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return pinnedChain.Build(presented)
            && pinnedChain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Certificate.RawDataMemory.Span);
    }

    /// <summary>TLS client options for these servers: target host <see cref="Host"/> and pinned-certificate validation.</summary>
    public SslClientAuthenticationOptions PinnedTlsOptions() => new()
    {
        TargetHost = Host,
        RemoteCertificateValidationCallback = ValidatePinnedCertificate,
    };

    /// <summary>Installs missing packages if needed, then starts (or reuses) the servers via the repository scripts.</summary>
    public async Task InitializeAsync()
    {
        await RunOrFailAsync("install.sh", InstallTimeout);
        var start = await RunOrFailAsync("start.sh", StartTimeout);
        var announced = start.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(line => line.StartsWith(StateDirectoryMarker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"start.sh did not announce its state directory.\n{start.Transcript}");
        _stateDirectory = announced[StateDirectoryMarker.Length..];
        _certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(_stateDirectory, "cert.pem")));
    }

    /// <summary>Releases the certificate; the servers keep running for the next test run.</summary>
    public Task DisposeAsync()
    {
        _certificate?.Dispose();
        return Task.CompletedTask;
    }

    private async Task<ServerScripts.Result> RunOrFailAsync(string script, TimeSpan timeout)
    {
        var result = await ServerScripts.RunAsync(RepositoryRootPath, script, timeout);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"scripts/servers/{script} failed; real-server tests cannot run.\n{result.Transcript}");
    }

    private static InvalidOperationException NotStarted() => new("RealServers has not been initialized yet.");

    private static async Task<string[]> MatchingMessagesAsync(string maildir, Func<string, bool> predicate, CancellationToken cancellationToken)
    {
        var matches = new List<string>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var dir = Path.Combine(maildir, sub);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir))
            {
                string text;
                try
                {
                    text = await File.ReadAllTextAsync(file, cancellationToken);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    continue; // moved from new/ to cur/ by a POP3 session while we looked; the next poll finds it
                }

                if (predicate(text))
                {
                    matches.Add(file);
                }
            }
        }

        return matches.ToArray();
    }
}
