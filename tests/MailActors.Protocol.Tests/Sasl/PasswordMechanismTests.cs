using System.Text;
using MailActors.Protocol.Sasl;

namespace MailActors.Protocol.Tests.Sasl;

public class PasswordMechanismTests
{
    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes!);

    [Fact]
    public void PLAIN_sends_authzid_user_and_password_separated_by_NUL()
    {
        var plain = SaslMechanism.Create("plain", new SaslCredentials("tim", "tanstaaftanstaaf"));

        Assert.Equal("PLAIN", plain.Name);
        Assert.True(plain.SupportsInitialResponse);
        Assert.False(plain.IsCompleted);
        Assert.Equal("\0tim\0tanstaaftanstaaf", Text(plain.InitialResponse()));
        Assert.True(plain.IsCompleted);
    }

    [Fact]
    public void PLAIN_includes_the_authorization_id_and_encodes_UTF8()
    {
        var plain = SaslMechanism.Create("PLAIN", new SaslCredentials("j\u00fcrgen", "p\u00e4ss", "admin"));

        Assert.Equal("admin\0j\u00fcrgen\0p\u00e4ss"u8.ToArray(), plain.InitialResponse());
    }

    [Fact]
    public void PLAIN_answers_an_empty_challenge_when_no_initial_response_was_sent_and_refuses_more()
    {
        var plain = SaslMechanism.Create("PLAIN", new SaslCredentials("u", "p"));

        Assert.Equal("\0u\0p", Text(plain.Respond([])));
        Assert.True(plain.IsCompleted);
        Assert.Throws<SaslException>(() => plain.Respond([]));
    }

    [Fact]
    public void PLAIN_refuses_NUL_in_credentials()
    {
        Assert.Throws<ArgumentException>(() => SaslMechanism.Create("PLAIN", new SaslCredentials("u\0x", "p")));
    }

    [Fact]
    public void LOGIN_answers_the_prompts_in_order()
    {
        var login = SaslMechanism.Create("LOGIN", new SaslCredentials("alice", "s3cret"));

        Assert.False(login.SupportsInitialResponse);
        Assert.Null(login.InitialResponse());
        Assert.Equal("alice", Text(login.Respond("Username:"u8)));
        Assert.False(login.IsCompleted);
        Assert.Equal("s3cret", Text(login.Respond("Password:"u8)));
        Assert.True(login.IsCompleted);
        Assert.Throws<SaslException>(() => login.Respond("Username:"u8));
    }

    [Theory]
    [InlineData("username:", "PASSWORD:")]
    [InlineData("User Name", "password")]
    [InlineData("Login:", "Pass phrase:")]
    public void LOGIN_matches_prompts_case_insensitively(string userPrompt, string passwordPrompt)
    {
        var login = SaslMechanism.Create("LOGIN", new SaslCredentials("alice", "s3cret"));

        Assert.Equal("alice", Text(login.Respond(Encoding.UTF8.GetBytes(userPrompt))));
        Assert.Equal("s3cret", Text(login.Respond(Encoding.UTF8.GetBytes(passwordPrompt))));
    }

    [Fact]
    public void LOGIN_answers_by_prompt_even_out_of_order()
    {
        var login = SaslMechanism.Create("LOGIN", new SaslCredentials("alice", "s3cret"));

        Assert.Equal("s3cret", Text(login.Respond("Password:"u8)));
        Assert.True(login.IsCompleted);
    }

    [Fact]
    public void LOGIN_answers_unrecognised_prompts_with_user_then_password()
    {
        var login = SaslMechanism.Create("LOGIN", new SaslCredentials("alice", "s3cret"));

        Assert.Equal("alice", Text(login.Respond("???"u8)));
        Assert.Equal("s3cret", Text(login.Respond([])));
        Assert.True(login.IsCompleted);
    }

    [Fact]
    public void CRAM_MD5_reproduces_the_RFC_2195_example()
    {
        var cram = SaslMechanism.Create("CRAM-MD5", new SaslCredentials("tim", "tanstaaftanstaaf"));

        Assert.False(cram.SupportsInitialResponse);
        Assert.Null(cram.InitialResponse());
        Assert.Equal("tim b913a602c7eda7a495b4e6e7334d3890", Text(cram.Respond("<1896.697170952@postoffice.reston.mci.net>"u8)));
        Assert.True(cram.IsCompleted);
    }

    [Fact]
    public void CRAM_MD5_refuses_an_empty_or_second_challenge()
    {
        var cram = SaslMechanism.Create("CRAM-MD5", new SaslCredentials("tim", "tanstaaftanstaaf"));

        Assert.Throws<SaslException>(() => cram.Respond([]));
        cram.Respond("<1.2@x>"u8);
        Assert.Throws<SaslException>(() => cram.Respond("<1.2@x>"u8));
    }
}
