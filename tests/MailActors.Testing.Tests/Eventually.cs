namespace MailActors.Testing.Tests;

/// <summary>Polls a condition that becomes true asynchronously (e.g. the server noticing a closed connection).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Condition not reached: " + because);
            }

            await Task.Delay(20);
        }
    }
}
