using MailActors.Configuration;
using MailActors.Pop3;
using MailActors.Transport;

namespace MailActors.Tests.Pop3;

/// <summary><c>mailactors.pop3</c> in the HOCON file becomes <see cref="Pop3SessionSettings"/>.</summary>
public sealed class Pop3SettingsTests
{
    private static readonly IReadOnlyList<ServerAddress> Hosts = [new("mail.example.test", null)];

    [Fact]
    public void The_embedded_defaults_are_the_documented_ones()
    {
        var settings = Pop3SessionSettings.FromConfig(MailActorsConfig.Default, Hosts);

        Assert.Equal(110, settings.Connection.DefaultPort);
        Assert.Equal(TlsMode.None, settings.TlsMode);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.CommandTimeout);
        Assert.Equal(Pop3LoginMethod.Auto, settings.LoginMethod);
        Assert.False(settings.AllowCleartextAuthentication);
        Assert.True(settings.RequestCapabilities && settings.UsePipelining);
        Assert.False(settings.UseUtf8);
        Assert.Equal(8192, settings.ResponseLimits.MaxLineLength);
        Assert.Equal(256L * 1024 * 1024, settings.ResponseLimits.MaxResponseBytes);
        Assert.Equal(256L * 1024 * 1024, settings.ResponseLimits.MaxListingBytes);
    }

    [Fact]
    public void Overrides_apply_and_implicit_tls_defaults_to_port_995()
    {
        var config = MailActorsConfig.WithOverrides("""
            mailactors.pop3 {
              tls = implicit
              login-method = user-pass
              command-timeout = 7s
              pipelining = off
              max-response-size = 1m
              max-listing-size = 2m
              family = ipv6
              utf8 = on
            }
            """);

        var settings = Pop3SessionSettings.FromConfig(config, Hosts);

        Assert.Equal(TlsMode.Implicit, settings.TlsMode);
        Assert.True(settings.Connection.ImplicitTls);
        Assert.Equal(995, settings.Connection.DefaultPort);
        Assert.Equal(Pop3LoginMethod.UserPass, settings.LoginMethod);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.CommandTimeout);
        Assert.False(settings.UsePipelining);
        Assert.Equal(1024 * 1024, settings.ResponseLimits.MaxResponseBytes);
        Assert.Equal(2 * 1024 * 1024, settings.ResponseLimits.MaxListingBytes);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, settings.Connection.Family);
        Assert.True(settings.UseUtf8);
    }

    [Theory]
    [InlineData("none", 1110)]
    [InlineData("implicit", 1995)]
    public void A_configured_port_wins_over_the_protocol_default(string tls, int port)
    {
        var config = MailActorsConfig.WithOverrides($"mailactors.pop3 {{ tls = {tls}, port = {port} }}");

        Assert.Equal(port, Pop3SessionSettings.FromConfig(config, Hosts).Connection.DefaultPort);
    }
}
