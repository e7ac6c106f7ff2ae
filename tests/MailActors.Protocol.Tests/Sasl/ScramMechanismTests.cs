using System.Text;
using MailActors.Protocol.Sasl;

namespace MailActors.Protocol.Tests.Sasl;

public class ScramMechanismTests
{
    // RFC 7677 section 3.
    private const string Sha256ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string Sha256ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string Sha256ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string Sha256ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    // RFC 5802 section 5.
    private const string Sha1ClientNonce = "fyko+d2lbbFgONRv9qkxdawL";
    private const string Sha1ServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    private const string Sha1ClientFinal = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    private const string Sha1ServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";

    private static readonly SaslCredentials UserPencil = new("user", "pencil");

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes!);

    private static ScramMechanism Sha256Client(SaslCredentials? credentials = null) =>
        new(ScramAlgorithm.Sha256, credentials ?? UserPencil, Sha256ClientNonce);

    [Fact]
    public void SCRAM_SHA_256_reproduces_the_RFC_7677_exchange()
    {
        var scram = Sha256Client();

        Assert.Equal("SCRAM-SHA-256", scram.Name);
        Assert.True(scram.SupportsInitialResponse);
        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", Text(scram.InitialResponse()));
        Assert.Equal(Sha256ClientFinal, Text(scram.Respond(Utf8(Sha256ServerFirst))));
        Assert.False(scram.IsCompleted);
        Assert.Empty(scram.Respond(Utf8(Sha256ServerFinal)));
        Assert.True(scram.IsCompleted);
    }

    [Fact]
    public void SCRAM_SHA_1_reproduces_the_RFC_5802_exchange()
    {
        var scram = new ScramMechanism(ScramAlgorithm.Sha1, UserPencil, Sha1ClientNonce);

        Assert.Equal("SCRAM-SHA-1", scram.Name);
        Assert.Equal("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", Text(scram.InitialResponse()));
        Assert.Equal(Sha1ClientFinal, Text(scram.Respond(Utf8(Sha1ServerFirst))));
        Assert.Empty(scram.Respond(Utf8(Sha1ServerFinal)));
        Assert.True(scram.IsCompleted);
    }

    [Fact]
    public void Without_an_initial_response_the_empty_challenge_gets_client_first()
    {
        var scram = Sha256Client();

        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", Text(scram.Respond([])));
        Assert.Equal(Sha256ClientFinal, Text(scram.Respond(Utf8(Sha256ServerFirst))));
    }

    [Fact]
    public void A_forged_server_signature_is_rejected_and_the_exchange_not_completed()
    {
        var scram = Sha256Client();
        scram.InitialResponse();
        scram.Respond(Utf8(Sha256ServerFirst));

        var forged = "v=" + Convert.ToBase64String(new byte[32]);
        var error = Assert.Throws<SaslException>(() => scram.Respond(Utf8(forged)));

        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
        Assert.False(scram.IsCompleted);
    }

    [Theory]
    [InlineData("r=XXXXNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")] // not our nonce
    [InlineData("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")] // our nonce, nothing added
    [InlineData("r=%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")] // server part only
    public void A_server_nonce_that_does_not_extend_ours_is_rejected(string serverFirst)
    {
        var scram = Sha256Client();
        scram.InitialResponse();

        var error = Assert.Throws<SaslException>(() => scram.Respond(Utf8(serverFirst)));

        Assert.Contains("nonce", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("m=ext,r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hv,s=***,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hv,s=,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-5")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=999999999")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==")]
    [InlineData("s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqO%hv,i=4096")]
    [InlineData("garbage")]
    [InlineData("")]
    public void A_malformed_or_unacceptable_server_first_is_rejected(string serverFirst)
    {
        var scram = Sha256Client();
        scram.InitialResponse();

        Assert.Throws<SaslException>(() => scram.Respond(Utf8(serverFirst)));
    }

    [Fact]
    public void A_server_error_in_server_final_is_reported()
    {
        var scram = Sha256Client();
        scram.InitialResponse();
        scram.Respond(Utf8(Sha256ServerFirst));

        var error = Assert.Throws<SaslException>(() => scram.Respond("e=invalid-proof"u8));

        Assert.Contains("invalid-proof", error.Message, StringComparison.Ordinal);
        Assert.False(scram.IsCompleted);
    }

    [Fact]
    public void Invalid_UTF8_in_a_challenge_is_rejected()
    {
        var scram = Sha256Client();
        scram.InitialResponse();

        Assert.Throws<SaslException>(() => scram.Respond([0x72, 0x3D, 0xC3, 0x28]));
    }

    [Fact]
    public void A_challenge_after_verification_is_rejected()
    {
        var scram = Sha256Client();
        scram.InitialResponse();
        scram.Respond(Utf8(Sha256ServerFirst));
        scram.Respond(Utf8(Sha256ServerFinal));

        Assert.Throws<SaslException>(() => scram.Respond([]));
        Assert.Throws<InvalidOperationException>(() => scram.InitialResponse());
    }

    [Fact]
    public void A_non_empty_first_challenge_is_rejected()
    {
        Assert.Throws<SaslException>(() => Sha256Client().Respond(Utf8(Sha256ServerFirst)));
    }

    [Fact]
    public void The_random_client_nonce_differs_per_exchange_and_is_long()
    {
        var first = Text(new ScramMechanism(UserPencil).InitialResponse());
        var second = Text(new ScramMechanism(UserPencil).InitialResponse());

        Assert.NotEqual(first, second);
        Assert.StartsWith("n,,n=user,r=", first, StringComparison.Ordinal);
        Assert.True(first.Length - "n,,n=user,r=".Length >= 24);
        Assert.DoesNotContain(',', first["n,,n=user,r=".Length..]);
    }

    [Fact]
    public void User_names_with_comma_and_equals_are_escaped_and_authzid_goes_in_the_gs2_header()
    {
        var scram = Sha256Client(new SaslCredentials("a,b=c", "pencil", "admin"));

        Assert.Equal("n,a=admin,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO", Text(scram.InitialResponse()));
        var clientFinal = Text(scram.Respond(Utf8(Sha256ServerFirst)));
        Assert.StartsWith("c=" + Convert.ToBase64String("n,a=admin,"u8.ToArray()) + ",", clientFinal, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ASCII_spaces_in_the_password_are_mapped_to_ASCII_space()
    {
        var mapped = Sha256Client(new SaslCredentials("user", "pen\u00A0cil\u00AD"));
        var plain = Sha256Client(new SaslCredentials("user", "pen cil"));
        mapped.InitialResponse();
        plain.InitialResponse();

        Assert.Equal(Text(plain.Respond(Utf8(Sha256ServerFirst))), Text(mapped.Respond(Utf8(Sha256ServerFirst))));
    }

    [Theory]
    [InlineData("pen\u0007cil")]
    [InlineData("pen\u0085cil")]
    [InlineData("pen\uE000cil")]
    [InlineData("pen\uD800cil")]
    [InlineData("pen\u200Fcil")]
    public void Prohibited_characters_in_the_password_are_refused(string password)
    {
        Assert.Throws<ArgumentException>(() => SaslMechanism.Create("SCRAM-SHA-256", new SaslCredentials("user", password)));
    }
}
