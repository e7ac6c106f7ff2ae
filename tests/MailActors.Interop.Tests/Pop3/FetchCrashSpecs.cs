using MailActors.Interop.Tests.Infrastructure;
using MailActors.Pop3.Fetch;
using Xunit.Abstractions;

namespace MailActors.Interop.Tests.Pop3;

/// <summary>
/// <c>mailactors fetch --maildir</c> against the real Dovecot, killed with SIGKILL at random moments and restarted:
/// every message must end up stored exactly once. The run keeps mail on the server (<c>--keep</c>) because the
/// mailbox is shared with other interop tests and a fetch takes the whole mailbox; the deleting variant runs against the
/// in-process server, whose mailbox is the test's own.
/// </summary>
[Collection(RealServers.CollectionName)]
public sealed class FetchCrashSpecs(RealServers servers, ITestOutputHelper output)
{
    // Enough messages of enough size that a download takes many small steps, so kills land all along it.
    private const int Messages = 60;
    private static readonly string Body = string.Concat(Enumerable.Range(0, 1500).Select(i => $"line {i:D4} of a message that takes a moment to fetch and store\r\n"));
    private const int Kills = 12;
    private const string PasswordVariable = "MAILACTORS_CRASH_PW";
    private readonly DovecotMailbox _mailbox = new(servers);

    [Fact]
    public async Task Killed_at_random_points_and_restarted_every_message_is_stored_exactly_once()
    {
        var prefix = DovecotMailbox.Unique("crash-fetch");
        var subjects = Enumerable.Range(0, Messages).Select(i => $"{prefix} #{i:D2}").ToArray();
        await _mailbox.DeliverManyAsync(prefix, subjects, Body);
        var directory = Directory.CreateTempSubdirectory("mailactors-crash-").FullName;
        var certificate = Path.Combine(directory, "server.pem");
        await File.WriteAllTextAsync(certificate, servers.Certificate.ExportCertificatePem());
        var maildirPath = Path.Combine(directory, "Maildir");
        string[] arguments =
        [
            "--host", servers.Host, "--port", servers.Pop3.ToString(), "--tls", "starttls", "--trust-cert", certificate,
            "--user", _mailbox.User.Name, "--password-env", PasswordVariable, "--maildir", maildirPath, "--keep",
        ];
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"kill delays drawn with seed {seed}");

        try
        {
            for (var run = 0; run < Kills; run++)
            {
                using var fetch = FetchProcess.Start(arguments, PasswordVariable, _mailbox.User.Password);
                // Every fourth run dies at a random time before the download (start-up, connect, TLS, login); the others
                // a few milliseconds after the k-th message was stored, inside the next RETR, fsync, rename or state update.
                var afterStored = run % 4 == 0 ? 0 : random.Next(1, 4);
                if (afterStored > 0)
                {
                    await fetch.WaitForStoredAsync(afterStored, TimeSpan.FromSeconds(20));
                }
                var delay = TimeSpan.FromMilliseconds(afterStored > 0 ? random.Next(0, 6) : random.Next(50, 500));
                await Task.Delay(delay);
                await fetch.KillAsync();
                output.WriteLine($"run {run}: killed {delay.TotalMilliseconds} ms after {fetch.StoredLines} stored; {StoredCopies(maildirPath, prefix).Sum(c => c.Value)} in the Maildir");
            }
            using (var final = FetchProcess.Start(arguments, PasswordVariable, _mailbox.User.Password))
            {
                var (exitCode, stdout, stderr) = await final.WaitAsync(TimeSpan.FromSeconds(60));
                output.WriteLine(stdout + stderr);
                Assert.Equal(0, exitCode);
            }

            var copies = StoredCopies(maildirPath, prefix);
            Assert.Equal(subjects.Order(), copies.Keys.Order());
            Assert.All(copies, entry => Assert.True(entry.Value == 1, $"{entry.Key} is stored {entry.Value} times"));
            var tags = new Maildir(maildirPath).MessageFiles().Select(Maildir.TagOf).ToArray();
            Assert.Equal(tags.Length, tags.Distinct().Count());
        }
        finally
        {
            await _mailbox.DeleteOwnAsync(prefix);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>How many files in new/ and cur/ hold each of this test's subjects.</summary>
    private static Dictionary<string, int> StoredCopies(string maildirPath, string prefix)
    {
        var copies = new Dictionary<string, int>();
        if (!Directory.Exists(maildirPath))
        {
            return copies;
        }
        foreach (var file in new Maildir(maildirPath).MessageFiles())
        {
            var subject = File.ReadLines(file).FirstOrDefault(line => line.StartsWith("Subject: " + prefix, StringComparison.Ordinal));
            if (subject is not null)
            {
                var key = subject["Subject: ".Length..];
                copies[key] = copies.GetValueOrDefault(key) + 1;
            }
        }
        return copies;
    }
}
