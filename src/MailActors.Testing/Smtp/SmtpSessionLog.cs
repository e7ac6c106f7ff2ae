using System.Net;

namespace MailActors.Testing;

/// <summary>The mutable, lock-protected record of one SMTP session behind <see cref="SmtpSessionInfo"/>.</summary>
internal sealed class SmtpSessionLog(long id, IPEndPoint? remoteEndPoint)
{
    private readonly object _gate = new();
    private readonly List<string> _commands = [];
    private string? _heloName;
    private bool _usedTls;
    private string? _user;
    private long _discarded;
    private bool _open = true;

    public void AddCommand(string line)
    {
        lock (_gate)
        {
            _commands.Add(line);
        }
    }

    public void Update(string? heloName, bool usedTls, string? user)
    {
        lock (_gate)
        {
            _heloName = heloName;
            _usedTls = usedTls;
            _user = user;
        }
    }

    public void AddDiscardedPlaintext(long bytes)
    {
        lock (_gate)
        {
            _discarded += bytes;
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _open = false;
        }
    }

    public SmtpSessionInfo Snapshot()
    {
        lock (_gate)
        {
            return new SmtpSessionInfo
            {
                Id = id,
                RemoteEndPoint = remoteEndPoint,
                HeloName = _heloName,
                UsedTls = _usedTls,
                AuthenticatedUser = _user,
                DiscardedPlaintextAfterStartTls = _discarded,
                CommandLog = [.. _commands],
                IsOpen = _open,
            };
        }
    }
}
