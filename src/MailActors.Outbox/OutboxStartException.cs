namespace MailActors.Outbox;

/// <summary>
/// <see cref="Outbox.StartAsync"/> could not start the outbox because its store cannot be used: the journal or snapshot
/// store failed to initialize (a role that may connect but not create the tables, for instance), or a part of the
/// outbox (its partition count, the suppression list, a partition) could not be recovered from the journal. The store's
/// own error is the <see cref="Exception.InnerException"/>. Nothing the start created is left running.
/// </summary>
public sealed class OutboxStartException : Exception
{
    /// <summary>Creates the exception with the store's error as its cause.</summary>
    public OutboxStartException(string message, Exception cause)
        : base(message, cause)
    {
    }

    /// <summary>Creates the exception (serialization and tooling).</summary>
    public OutboxStartException()
        : base("The outbox could not start.")
    {
    }

    /// <summary>Creates the exception (serialization and tooling).</summary>
    public OutboxStartException(string message)
        : base(message)
    {
    }
}
