namespace MailActors.Outbox.Tests;

/// <summary><see cref="OutboxStore.Parse"/>: the command-line form of a store, and errors that never repeat a password.</summary>
public sealed class OutboxStoreParseTests
{
    [Theory]
    [InlineData("sqlite:outbox.db", "sqlite:")]
    [InlineData("SQLite:outbox.db", "sqlite:")]
    [InlineData("postgres:Host=127.0.0.1;Password=pw;Database=outbox", "postgres:Host=127.0.0.1;Database=outbox")]
    [InlineData("postgresql:Host=127.0.0.1;Database=outbox", "postgres:Host=127.0.0.1;Database=outbox")]
    public void Both_forms_are_read(string spec, string describedStart)
    {
        Assert.StartsWith(describedStart, OutboxStore.Parse(spec).Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgress:Host=db;Password=secret-pw", "got 'postgress:…'")]
    [InlineData("sqlite:", "got 'sqlite:'")]
    [InlineData("sqlite", "got 'sqlite'")]
    [InlineData("Host=db;Username=app;Password=secret-pw;Database=outbox", NoPrefix)]
    [InlineData("Host=db;Username=app;Password=secret:pw;Database=outbox", NoPrefix)]
    [InlineData("secret-pw", NoPrefix)]
    [InlineData("secretsecretsecretsecret:pw", NoPrefix)]
    public void A_spec_of_neither_form_repeats_at_most_a_bare_word_of_it(string spec, string given)
    {
        var error = Assert.Throws<FormatException>(() => OutboxStore.Parse(spec));

        Assert.Equal($"A store is 'sqlite:FILE' or 'postgres:CONNECTION-STRING'; {given}.", error.Message);
        Assert.DoesNotContain("pw", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=", error.Message, StringComparison.Ordinal);
    }

    private const string NoPrefix = "the value given starts with neither (not repeated here: it may hold a password)";
}
