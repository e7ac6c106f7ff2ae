using MailActors.Configuration;
using MailActors.Smtp;
using MailActors.Transport;

namespace MailActors.Tests.Configuration;

/// <summary>hocon/mailactors.conf is embedded, loaded as the default, and every SMTP knob reaches the session settings.</summary>
public sealed class ConfigurationSpecs
{
    private static readonly ServerAddress[] Hosts = [new("mx.example.test", null)];

    [Fact]
    public void The_embedded_defaults_match_the_documented_ones()
    {
        var settings = SmtpSessionSettings.FromConfig(MailActorsConfig.Default, Hosts);

        Assert.Equal(25, settings.Connection.DefaultPort);
        Assert.Equal(TlsMode.None, settings.TlsMode);
        Assert.Equal("localhost.localdomain", settings.HelloDomain);
        Assert.True(settings.SendHello);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.TransactionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Connection.ConnectTimeout);
        Assert.False(settings.AllowCleartextAuthentication);
        Assert.Null(settings.AuthMechanism);
        Assert.True(settings.UsePipelining);
        Assert.False(settings.PreferChunking);
        Assert.Equal(256 * 1024, settings.ChunkSize);
        Assert.Equal(4096, settings.ReplyLimits.MaxLineLength);
        Assert.Equal(512, settings.ReplyLimits.MaxLines);
    }

    [Fact]
    public void Overrides_reach_every_setting()
    {
        var config = MailActorsConfig.WithOverrides("""
            mailactors.smtp {
              port = 587
              tls = starttls
              hello = "client.example.test"
              send-hello = off
              family = ipv6
              connect-timeout = 3s
              command-timeout = 7s
              transaction-timeout = 1m
              exact-addresses = on
              allow-cleartext-auth = on
              auth-mechanism = LOGIN
              pipelining = off
              prefer-chunking = on
              chunk-size = 64k
              max-reply-line-length = 1000
              max-reply-lines = 20
            }
            """);

        var settings = SmtpSessionSettings.FromConfig(config, Hosts);

        Assert.Equal(587, settings.Connection.DefaultPort);
        Assert.Equal(TlsMode.StartTls, settings.TlsMode);
        Assert.Equal("client.example.test", settings.HelloDomain);
        Assert.False(settings.SendHello);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, settings.Connection.Family);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.Connection.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.TransactionTimeout);
        Assert.True(settings.ExactAddresses);
        Assert.True(settings.AllowCleartextAuthentication);
        Assert.Equal("LOGIN", settings.AuthMechanism);
        Assert.False(settings.UsePipelining);
        Assert.True(settings.PreferChunking);
        Assert.Equal(64 * 1024, settings.ChunkSize);
        Assert.Equal(1000, settings.ReplyLimits.MaxLineLength);
        Assert.Equal(20, settings.ReplyLimits.MaxLines);
    }

    [Fact]
    public void Implicit_tls_defaults_to_port_465()
    {
        var settings = SmtpSessionSettings.FromConfig(MailActorsConfig.WithOverrides("mailactors.smtp.tls = implicit"), Hosts);

        Assert.True(settings.Connection.ImplicitTls);
        Assert.Equal(465, settings.Connection.DefaultPort);
    }

    [Fact]
    public void An_unknown_tls_mode_is_a_clear_error()
    {
        var error = Assert.Throws<FormatException>(() => SmtpSessionSettings.ParseTlsMode("sometimes"));

        Assert.Contains("none, starttls", error.Message, StringComparison.Ordinal);
    }
}
