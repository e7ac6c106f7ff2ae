namespace MailActors.Load;

/// <summary>How the generated messages look: envelope templates, recipients, size.</summary>
public sealed record LoadMessageOptions
{
    /// <summary>Envelope sender (and From header); placeholders as in <see cref="AddressTemplate"/>.</summary>
    public string From { get; init; } = "load{s}@example.test";

    /// <summary>Recipient template; with several recipients per message, <c>{r}</c> numbers them. Unless set:
    /// <c>rcpt{n}@example.test</c>, or <c>rcpt{n}.{r}@example.test</c> with several <see cref="Recipients"/> (without
    /// <c>{r}</c> every recipient of a message would be the same address).</summary>
    public string To
    {
        get => _to ?? DefaultTo(Recipients);
        init => _to = value;
    }

    private readonly string? _to;

    /// <summary>Recipients per message.</summary>
    public int Recipients { get; init; } = 1;

    /// <summary>Body sizes (octets, headers excluded).</summary>
    public SizeDistribution Size { get; init; } = SizeDistribution.Fixed(2048);

    /// <summary>Subject prefix; the message number follows.</summary>
    public string Subject { get; init; } = "MailActors load";

    /// <summary>Domain in the generated Message-IDs.</summary>
    public string MessageIdDomain { get; init; } = "load.mailactors.test";

    /// <summary>The recipient template used when <see cref="To"/> is not set, for <paramref name="recipients"/> per message.</summary>
    public static string DefaultTo(int recipients) => recipients > 1 ? "rcpt{n}.{r}@example.test" : "rcpt{n}@example.test";

    /// <summary>Throws <see cref="ArgumentException"/> for unusable settings, among them a <see cref="To"/> that gives several
    /// recipients of a message the same address (no <c>{r}</c> with more than one <see cref="Recipients"/>).</summary>
    public void Validate()
    {
        if (Recipients < 1)
        {
            throw new ArgumentException("At least one recipient per message is needed.");
        }
        AddressTemplate.Parse(From);
        if (!AddressTemplate.Parse(To).GivesEachRecipientItsOwnAddress(Recipients))
        {
            // RCPT TO the same address several times in one transaction is a mistake in the template, not a load to measure.
            throw new ArgumentException(FormattableString.Invariant(
                $"The recipient template '{To}' gives several of the {Recipients} recipients of a message the same address: number them with {{r}} (e.g. rcpt{{n}}.{{r}}@example.test)."));
        }
    }
}
