using System.Diagnostics;

namespace MailActors.Cli.Tests.Support;

/// <summary>Debian's <c>chromium</c> in headless mode (installed by scripts/servers/install.sh): screenshots and the DOM after scripts ran.</summary>
internal static class HeadlessChromium
{
    public sealed record Page(byte[] Screenshot, string Dom, string Log);

    public static async Task<Page> OpenAsync(string htmlFile, int width = 1100, int height = 2400)
    {
        var screenshot = Path.Combine(Path.GetTempPath(), $"mailactors-shot-{Guid.NewGuid():N}.png");
        try
        {
            var (_, shotLog) = await RunAsync($"--window-size={width},{height}", $"--screenshot={screenshot}", new Uri(htmlFile).AbsoluteUri);
            var (dom, domLog) = await RunAsync("--dump-dom", new Uri(htmlFile).AbsoluteUri);
            if (!File.Exists(screenshot))
            {
                throw new InvalidOperationException("chromium wrote no screenshot:\n" + shotLog);
            }
            return new Page(await File.ReadAllBytesAsync(screenshot), dom, shotLog + domLog);
        }
        finally
        {
            File.Delete(screenshot);
        }
    }

    private static async Task<(string Output, string Log)> RunAsync(params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("mailactors-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var flag in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                         "--hide-scrollbars", "--force-device-scale-factor=1",
                     })
            {
                start.ArgumentList.Add(flag);
            }
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var log = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(cts.Token);
            return (await output, await log);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
