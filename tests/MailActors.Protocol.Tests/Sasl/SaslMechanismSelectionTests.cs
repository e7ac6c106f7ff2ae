using MailActors.Protocol.Sasl;

namespace MailActors.Protocol.Tests.Sasl;

public class SaslMechanismSelectionTests
{
    private static readonly SaslCredentials Password = new("u", "p");
    private static readonly SaslCredentials Token = SaslCredentials.OAuthToken("u", "t");

    [Theory]
    [InlineData("PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256 XOAUTH2", "SCRAM-SHA-256")]
    [InlineData("plain login cram-md5 scram-sha-1", "SCRAM-SHA-1")]
    [InlineData("LOGIN PLAIN CRAM-MD5", "CRAM-MD5")]
    [InlineData("LOGIN PLAIN", "PLAIN")]
    [InlineData("LOGIN", "LOGIN")]
    [InlineData("XOAUTH2 GSSAPI NTLM", null)]
    [InlineData("", null)]
    public void Chooses_the_strongest_password_mechanism(string offered, string? expected)
    {
        Assert.Equal(expected, SaslMechanism.ChooseBest(offered.Split(' ', StringSplitOptions.RemoveEmptyEntries), Password));
    }

    [Theory]
    [InlineData("PLAIN LOGIN SCRAM-SHA-256 XOAUTH2", "XOAUTH2")]
    [InlineData("PLAIN xoauth2", "XOAUTH2")]
    [InlineData("PLAIN LOGIN SCRAM-SHA-256", null)]
    public void Uses_XOAUTH2_only_with_a_token(string offered, string? expected)
    {
        Assert.Equal(expected, SaslMechanism.ChooseBest(offered.Split(' '), Token));
    }

    [Fact]
    public void Every_supported_name_can_be_created()
    {
        foreach (var name in SaslMechanism.Supported)
        {
            var credentials = name == "XOAUTH2" ? Token : Password;
            Assert.Equal(name, SaslMechanism.Create(name.ToLowerInvariant(), credentials).Name);
        }

        Assert.Equal(["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN", "XOAUTH2"], SaslMechanism.Supported);
    }

    [Fact]
    public void Unknown_mechanisms_are_not_supported()
    {
        Assert.Throws<NotSupportedException>(() => SaslMechanism.Create("GSSAPI", Password));
    }

    [Fact]
    public void Credentials_never_print_their_secrets()
    {
        var text = new SaslCredentials("alice", "hunter2", "admin").ToString() + SaslCredentials.OAuthToken("bob", "tok-123").ToString();

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", text, StringComparison.Ordinal);
        Assert.Contains("alice", text, StringComparison.Ordinal);
        Assert.Contains("admin", text, StringComparison.Ordinal);
    }
}
