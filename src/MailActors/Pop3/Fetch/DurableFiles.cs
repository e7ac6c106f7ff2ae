using System.Runtime.InteropServices;

namespace MailActors.Pop3.Fetch;

/// <summary>
/// fsync for directories, which .NET does not offer: after a rename, the directory entry is durable only once the
/// directory itself has been synced (POSIX). A no-op on Windows, where NTFS journals renames.
/// </summary>
internal static class DurableFiles
{
    private const int ReadOnly = 0;

    /// <summary>Makes the entries of <paramref name="directory"/> (creations, renames) survive a crash.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {directory} to sync it (errno {Marshal.GetLastWin32Error()}).");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastWin32Error()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // Classic DllImport: LibraryImport would need unsafe code in the whole assembly for three calls.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
