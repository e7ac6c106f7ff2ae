namespace MailActors.Interop.Tests.Infrastructure;

/// <summary>Locates the repository checkout the tests run from.</summary>
public static class RepositoryRoot
{
    /// <summary>The nearest directory, walking up from the test binaries, that holds <c>MailActors.sln</c>.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MailActors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No MailActors.sln above {AppContext.BaseDirectory}.");
    }
}
