using System.Text;

namespace MailActors.Outbox;

/// <summary>Maps a message id to its partition with a hash that is the same in every process (string.GetHashCode is not).</summary>
internal static class PartitionHash
{
    public static int Of(string messageId, int partitions)
    {
        // FNV-1a over the UTF-8 bytes.
        var hash = 2166136261u;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(messageId) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(messageId, buffer)]
            : Encoding.UTF8.GetBytes(messageId);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return (int)(hash % (uint)partitions);
    }
}
