namespace MailActors.Testing;

/// <summary>One step of a POP3 session: the greeting (<paramref name="Verb"/> empty) or a command line.</summary>
internal readonly record struct Pop3Step(string Verb, string Argument)
{
    public bool IsGreeting => Verb.Length == 0;
}
