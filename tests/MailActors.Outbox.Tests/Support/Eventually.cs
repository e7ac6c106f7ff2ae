namespace MailActors.Outbox.Tests.Support;

/// <summary>Polls a condition that becomes true asynchronously (delivery, retries, the sweep).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string because, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Condition not reached: " + because);
            }
            await Task.Delay(25);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string because, int timeoutSeconds = 60) =>
        TrueAsync(() => Task.FromResult(condition()), because, timeoutSeconds);
}
