namespace MailActors.Sessions;

/// <summary>What every command of a session actor's protocol has: a name for errors and transcripts.</summary>
public interface ISessionCommand
{
    /// <summary>The command's name, used in errors.</summary>
    string Name { get; }
}
