using System.Buffers;
using MailActors.Protocol.Pop3;
using static MailActors.Protocol.Tests.Pop3.Sequences;

namespace MailActors.Protocol.Tests.Pop3;

public class Pop3CapabilitiesTests
{
    private const string DovecotCapa =
        "TOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\nUSER\r\nSASL PLAIN LOGIN\r\n";

    private static Pop3Capabilities ParseLines(string text) =>
        Pop3Capabilities.Parse(text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Understands_dovecots_real_capa_response_off_the_wire()
    {
        var buffer = new ReadOnlySequence<byte>(Ascii("+OK\r\n" + DovecotCapa + ".\r\n"));
        Assert.True(new Pop3StatusParser().TryParseStatus(ref buffer, out var status));
        Assert.True(status.IsOk);
        var lines = new List<string>();
        Assert.True(new Pop3MultiLineDecoder().DecodeLines(ref buffer, lines));

        var capabilities = Pop3Capabilities.Parse(lines);

        Assert.True(capabilities.Top);
        Assert.True(capabilities.Uidl);
        Assert.True(capabilities.RespCodes);
        Assert.True(capabilities.Pipelining);
        Assert.True(capabilities.AuthRespCode);
        Assert.True(capabilities.Stls);
        Assert.True(capabilities.User);
        Assert.True(capabilities.Sasl);
        Assert.Equal(["PLAIN", "LOGIN"], capabilities.SaslMechanisms);
        Assert.True(capabilities.SupportsSaslMechanism("plain"));
        Assert.False(capabilities.SupportsSaslMechanism("CRAM-MD5"));
        Assert.False(capabilities.Utf8);
        Assert.False(capabilities.Lang);
        Assert.Null(capabilities.LoginDelay);
        Assert.Null(capabilities.Expire);
        Assert.Null(capabilities.Implementation);
        Assert.Equal(8, capabilities.Lines.Count);
        Assert.Equal(8, capabilities.Raw.Count);
        Assert.Equal(DovecotCapa.TrimEnd(), capabilities.ToString());
    }

    [Fact]
    public void Keywords_compare_case_insensitively()
    {
        var capabilities = ParseLines("top\r\nSasl plain\r\nx-vendor-thing 1 2\r\n");

        Assert.True(capabilities.Top);
        Assert.True(capabilities.Supports("TOP"));
        Assert.True(capabilities.Supports("X-VENDOR-THING"));
        Assert.Equal(["1", "2"], capabilities.Arguments("x-Vendor-Thing"));
        Assert.Equal(["plain"], capabilities.Raw["SASL"]);
        Assert.False(capabilities.Supports("UIDL"));
        Assert.Empty(capabilities.Arguments("UIDL"));
    }

    [Theory]
    [InlineData("LOGIN-DELAY 900", 900, false)]
    [InlineData("LOGIN-DELAY 0", 0, false)]
    [InlineData("LOGIN-DELAY 300 USER", 300, true)]
    public void Reads_login_delay(string line, int seconds, bool perUser)
    {
        var capabilities = ParseLines(line);

        Assert.Equal(TimeSpan.FromSeconds(seconds), capabilities.LoginDelay);
        Assert.Equal(perUser, capabilities.LoginDelayPerUser);
    }

    [Theory]
    [InlineData("EXPIRE NEVER", null, false)]
    [InlineData("EXPIRE 0", 0, false)]
    [InlineData("EXPIRE 31", 31, false)]
    [InlineData("EXPIRE 5 USER", 5, true)]
    [InlineData("expire never user", null, true)]
    public void Reads_the_expire_policy(string line, int? days, bool perUser)
    {
        var expire = ParseLines(line).Expire;

        Assert.NotNull(expire);
        Assert.Equal(days, expire.Days);
        Assert.Equal(perUser, expire.PerUser);
        Assert.Equal(days is null, expire.Never);
        Assert.Equal(days == 0, expire.DeletesOnRetrieval);
    }

    [Theory]
    [InlineData("EXPIRE soon")]
    [InlineData("EXPIRE -1")]
    [InlineData("EXPIRE")]
    [InlineData("EXPIRE 99999999999")]
    public void Keeps_a_malformed_expire_as_supported_but_untyped(string line)
    {
        var capabilities = ParseLines(line);

        Assert.True(capabilities.Supports("EXPIRE"));
        Assert.Null(capabilities.Expire);
    }

    [Fact]
    public void Keeps_a_malformed_login_delay_as_supported_but_untyped()
    {
        var capabilities = ParseLines("LOGIN-DELAY later");

        Assert.True(capabilities.Supports("LOGIN-DELAY"));
        Assert.Null(capabilities.LoginDelay);
    }

    [Fact]
    public void Keeps_implementation_text_with_its_inner_spacing()
    {
        var capabilities = ParseLines("IMPLEMENTATION Shlemazle  Plotz-v302\r\n");

        Assert.Equal("Shlemazle  Plotz-v302", capabilities.Implementation);
    }

    [Fact]
    public void Reads_rfc_6856_utf8_and_lang()
    {
        var plain = ParseLines("UTF8\r\nLANG");
        var withUser = ParseLines("UTF8 USER");

        Assert.True(plain.Utf8);
        Assert.False(plain.Utf8User);
        Assert.True(plain.Lang);
        Assert.True(withUser.Utf8);
        Assert.True(withUser.Utf8User);
    }

    [Fact]
    public void Merges_repeated_keywords_and_drops_duplicate_mechanisms()
    {
        var capabilities = ParseLines("SASL PLAIN LOGIN\r\nSASL CRAM-MD5 plain\r\n");

        Assert.Equal(["PLAIN", "LOGIN", "CRAM-MD5"], capabilities.SaslMechanisms);
        Assert.Equal(["PLAIN", "LOGIN", "CRAM-MD5", "plain"], capabilities.Raw["SASL"]);
    }

    [Fact]
    public void Sasl_without_mechanisms_still_means_auth_exists()
    {
        var capabilities = ParseLines("SASL");

        Assert.True(capabilities.Sasl);
        Assert.Empty(capabilities.SaslMechanisms);
    }

    [Fact]
    public void Ignores_blank_lines_and_surrounding_blanks()
    {
        var capabilities = Pop3Capabilities.Parse(["", "  TOP  ", "\t", "SASL\tPLAIN   LOGIN"]);

        Assert.Equal(["TOP", "SASL\tPLAIN   LOGIN"], capabilities.Lines);
        Assert.Equal(["PLAIN", "LOGIN"], capabilities.SaslMechanisms);
    }

    [Fact]
    public void Empty_offers_nothing()
    {
        Assert.False(Pop3Capabilities.Empty.Top);
        Assert.False(Pop3Capabilities.Empty.User);
        Assert.Empty(Pop3Capabilities.Empty.Raw);
        Assert.Empty(Pop3Capabilities.Empty.SaslMechanisms);
    }
}
