using System.Text;
using MailActors.Protocol.Sasl;

namespace MailActors.Protocol.Tests.Sasl;

public class SaslServerVerifierTests
{
    private static readonly Dictionary<string, string> Passwords = new() { ["user"] = "pencil", ["tim"] = "tanstaaftanstaaf" };

    private static string? PasswordOf(string user) => Passwords.GetValueOrDefault(user);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void PLAIN_from_the_client_mechanism_verifies()
    {
        var response = SaslMechanism.Create("PLAIN", new SaslCredentials("tim", "tanstaaftanstaaf")).InitialResponse();

        Assert.True(SaslServerVerifier.VerifyPlain(response, PasswordOf, out var user));
        Assert.Equal("tim", user);
    }

    [Theory]
    [InlineData("\0tim\0wrong")]
    [InlineData("\0nobody\0tanstaaftanstaaf")]
    [InlineData("other\0tim\0tanstaaftanstaaf")]
    [InlineData("\0\0tanstaaftanstaaf")]
    [InlineData("tim\0tanstaaftanstaaf")]
    [InlineData("\0tim\0tanstaaftanstaaf\0")]
    public void PLAIN_with_a_wrong_password_user_authzid_or_shape_fails(string response)
    {
        Assert.False(SaslServerVerifier.VerifyPlain(Encoding.UTF8.GetBytes(response), PasswordOf, out var user));
        Assert.Null(user);
    }

    [Fact]
    public void PLAIN_accepts_an_authzid_equal_to_the_user_and_parses_fields()
    {
        Assert.True(SaslServerVerifier.VerifyPlain("tim\0tim\0tanstaaftanstaaf"u8, PasswordOf, out _));
        Assert.True(SaslServerVerifier.TryParsePlain("az\0u\0p"u8, out var authzid, out var userName, out var password));
        Assert.Equal(("az", "u", "p"), (authzid, userName, password));
    }

    [Fact]
    public void LOGIN_answers_from_the_client_mechanism_verify()
    {
        var login = SaslMechanism.Create("LOGIN", new SaslCredentials("user", "pencil"));
        var userAnswer = login.Respond(SaslServerVerifier.LoginUserNamePrompt);
        var passwordAnswer = login.Respond(SaslServerVerifier.LoginPasswordPrompt);

        Assert.True(SaslServerVerifier.VerifyLogin(userAnswer, passwordAnswer, PasswordOf, out var user));
        Assert.Equal("user", user);
        Assert.False(SaslServerVerifier.VerifyLogin(userAnswer, "pen"u8, PasswordOf, out _));
    }

    [Fact]
    public void CRAM_MD5_verifies_the_RFC_2195_example_and_rejects_a_wrong_digest()
    {
        var challenge = "<1896.697170952@postoffice.reston.mci.net>"u8;

        Assert.True(SaslServerVerifier.VerifyCramMd5(challenge, "tim b913a602c7eda7a495b4e6e7334d3890"u8, PasswordOf, out var user));
        Assert.Equal("tim", user);
        Assert.False(SaslServerVerifier.VerifyCramMd5(challenge, "tim b913a602c7eda7a495b4e6e7334d3891"u8, PasswordOf, out _));
        Assert.False(SaslServerVerifier.VerifyCramMd5("<other@x>"u8, "tim b913a602c7eda7a495b4e6e7334d3890"u8, PasswordOf, out _));
        Assert.False(SaslServerVerifier.VerifyCramMd5(challenge, "nodigest"u8, PasswordOf, out _));
    }

    [Fact]
    public void CRAM_MD5_accepts_an_upper_case_hex_digest_but_not_an_upper_case_user()
    {
        var challenge = "<1896.697170952@postoffice.reston.mci.net>"u8;

        Assert.True(SaslServerVerifier.VerifyCramMd5(challenge, "tim B913A602C7EDA7A495B4E6E7334D3890"u8, PasswordOf, out var user));
        Assert.Equal("tim", user);
        Assert.False(SaslServerVerifier.VerifyCramMd5(challenge, "TIM b913a602c7eda7a495b4e6e7334d3890"u8, PasswordOf, out _));
    }

    [Fact]
    public void A_fresh_CRAM_MD5_challenge_round_trips_with_the_client_mechanism()
    {
        var challenge = SaslServerVerifier.CreateCramMd5Challenge("mx.example.test");
        var response = SaslMechanism.Create("CRAM-MD5", new SaslCredentials("user", "pencil")).Respond(challenge);

        Assert.Matches(@"^<\d+\.\d+@mx\.example\.test>$", Encoding.ASCII.GetString(challenge));
        Assert.NotEqual(challenge, SaslServerVerifier.CreateCramMd5Challenge("mx.example.test"));
        Assert.True(SaslServerVerifier.VerifyCramMd5(challenge, response, PasswordOf, out _));
    }

    [Fact]
    public void XOAUTH2_from_the_client_mechanism_verifies_against_the_token()
    {
        var response = SaslMechanism.Create("XOAUTH2", SaslCredentials.OAuthToken("user", "tok")).InitialResponse();

        Assert.True(SaslServerVerifier.VerifyXOAuth2(response, u => u == "user" ? "tok" : null, out var user));
        Assert.Equal("user", user);
        Assert.False(SaslServerVerifier.VerifyXOAuth2(response, u => "other", out _));
        Assert.False(SaslServerVerifier.VerifyXOAuth2("user=user\u0001auth=Bearer tok"u8, u => "tok", out _));
    }

    [Fact]
    public void SCRAM_server_reproduces_the_RFC_7677_messages()
    {
        var server = new ScramServerExchange(
            ScramAlgorithm.Sha256, PasswordOf, 4096, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="));

        var serverFirst = server.ProcessClientFirst("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"u8);
        Assert.Equal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", Text(serverFirst));
        Assert.Equal("user", server.UserName);

        var serverFinal = server.ProcessClientFinal(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="u8);
        Assert.Equal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Text(serverFinal));
        Assert.True(server.IsAuthenticated);
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-1")]
    public void SCRAM_client_and_server_authenticate_each_other(string mechanism)
    {
        var client = SaslMechanism.Create(mechanism, new SaslCredentials("user", "pencil"));
        var server = SaslServerVerifier.CreateScram(mechanism, PasswordOf, iterations: 4096);

        var serverFirst = server.ProcessClientFirst(client.InitialResponse());
        var serverFinal = server.ProcessClientFinal(client.Respond(serverFirst));
        Assert.True(server.IsAuthenticated);
        Assert.Empty(client.Respond(serverFinal));
        Assert.True(client.IsCompleted);
    }

    [Theory]
    [InlineData("user", "wrong")]
    [InlineData("nobody", "pencil")]
    public void SCRAM_with_a_wrong_password_or_unknown_user_gets_invalid_proof(string user, string password)
    {
        var client = SaslMechanism.Create("SCRAM-SHA-256", new SaslCredentials(user, password));
        var server = SaslServerVerifier.CreateScram("SCRAM-SHA-256", PasswordOf);

        var serverFirst = server.ProcessClientFirst(client.InitialResponse());
        var serverFinal = server.ProcessClientFinal(client.Respond(serverFirst));

        Assert.Equal("e=invalid-proof", Text(serverFinal));
        Assert.False(server.IsAuthenticated);
        Assert.Throws<SaslException>(() => client.Respond(serverFinal));
        Assert.False(client.IsCompleted);
    }

    [Fact]
    public void SCRAM_server_rejects_a_replayed_nonce_or_changed_gs2_header()
    {
        var server = SaslServerVerifier.CreateScram("SCRAM-SHA-256", PasswordOf);
        var serverFirst = Text(server.ProcessClientFirst("n,,n=user,r=abc"u8));
        var nonce = serverFirst.Split(',')[0][2..];

        Assert.Equal("e=other-error", Text(server.ProcessClientFinal(Encoding.UTF8.GetBytes("c=biws,r=abcdef,p=AAAA"))));
        Assert.Equal("e=channel-bindings-dont-match", Text(server.ProcessClientFinal(Encoding.UTF8.GetBytes($"c=eSws,r={nonce},p=AAAA"))));
        Assert.Equal("e=invalid-proof", Text(server.ProcessClientFinal(Encoding.UTF8.GetBytes($"c=biws,r={nonce},p=AAAA"))));
        Assert.False(server.IsAuthenticated);
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc")]
    [InlineData("x,,n=user,r=abc")]
    [InlineData("n,,r=abc")]
    [InlineData("n,,n=user")]
    [InlineData("n,b=x,n=user,r=abc")]
    [InlineData("n,,n=us=zzer,r=abc")]
    public void SCRAM_server_rejects_malformed_client_first(string clientFirst)
    {
        var server = SaslServerVerifier.CreateScram("SCRAM-SHA-256", PasswordOf);

        Assert.Throws<SaslException>(() => server.ProcessClientFirst(Encoding.UTF8.GetBytes(clientFirst)));
    }

    [Fact]
    public void SCRAM_server_needs_client_first_before_client_final()
    {
        var server = SaslServerVerifier.CreateScram("SCRAM-SHA-256", PasswordOf);

        Assert.Throws<InvalidOperationException>(() => server.ProcessClientFinal("c=biws,r=x,p=AAAA"u8));
        Assert.Throws<NotSupportedException>(() => SaslServerVerifier.CreateScram("SCRAM-MD5", PasswordOf));
    }
}
