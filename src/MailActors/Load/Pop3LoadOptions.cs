using MailActors.Pop3;

namespace MailActors.Load;

/// <summary>
/// A POP3 read load in the manner of Postal's <c>rabid</c>: sessions log in, STAT, LIST and UIDL, retrieve messages
/// (checking each one's integrity digest), optionally delete them, and QUIT, over and over until the bound. Bounded by a
/// count of messages retrieved or a duration; <see cref="Validate"/> refuses a run without either.
/// </summary>
public sealed record Pop3LoadOptions
{
    /// <summary>Where and how to connect (hosts, TLS, timeouts, login method). Its credentials are not used: the run logs
    /// in itself with <see cref="User"/> and <see cref="Password"/>, so that every step is timed on its own.</summary>
    public required Pop3SessionSettings Session { get; init; }

    /// <summary>The mailbox to log in to; <c>{s}</c> is the session number (<c>load{s}</c> gives each session its own,
    /// since a POP3 server locks a mailbox for one session at a time).</summary>
    public required string User { get; init; }

    /// <summary>The password (the same for every mailbox).</summary>
    public required string Password { get; init; }

    /// <summary>The SASL mechanism when logging in with AUTH; null = the strongest the server offers.</summary>
    public string? AuthMechanism { get; init; }

    /// <summary>Concurrent sessions.</summary>
    public int Sessions { get; init; } = 1;

    /// <summary>Messages to retrieve in all.</summary>
    public long? Messages { get; init; }

    /// <summary>How long to run.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Most messages retrieved per connection before QUIT; 0 = the whole mailbox.</summary>
    public int MessagesPerConnection { get; init; }

    /// <summary>DELE every retrieved message (committed by QUIT).</summary>
    public bool Delete { get; init; }

    /// <summary>New connections per second at most; null = no limit.</summary>
    public double? ConnectRate { get; init; }

    /// <summary>Consecutive failed connection attempts or logins after which the run gives up.</summary>
    public int MaxConsecutiveConnectFailures { get; init; } = 50;

    /// <summary>Consecutive sessions that found nothing to retrieve after which a run bounded by a message count gives up.</summary>
    public int MaxConsecutiveEmptyMailboxes { get; init; } = 20;

    /// <summary>Where the protocol transcript of the first connection goes (a sample for debugging); null for none.</summary>
    public Diagnostics.ITranscript? FirstConnectionTranscript { get; init; }

    /// <summary>How long sessions may take to finish after the bound before they are cut off.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> when the options cannot make a bounded, valid run.</summary>
    public void Validate()
    {
        if (Messages is null && Duration is null)
        {
            throw new ArgumentException("A load run needs a bound: a message count or a duration.");
        }
        if (Sessions < 1 || Messages is <= 0 || Duration is { } d && d <= TimeSpan.Zero || !LoadOptions.IsPositiveRate(ConnectRate) || MessagesPerConnection < 0)
        {
            throw new ArgumentException("Sessions, counts, rates and durations must be positive.");
        }
        AddressTemplate.Parse(User);
    }
}
