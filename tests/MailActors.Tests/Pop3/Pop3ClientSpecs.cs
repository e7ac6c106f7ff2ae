using System.Net;
using System.Net.Sockets;
using System.Text;
using MailActors.Diagnostics;
using MailActors.Pop3;
using MailActors.Protocol.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using Xunit.Abstractions;

namespace MailActors.Tests.Pop3;

/// <summary>The Net::POP3 facade: every method and constructor option (see docs/net-pop3-parity.md).</summary>
public sealed class Pop3ClientSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private async Task<(Pop3TestServer Server, Pop3Client Client)> ConnectAsync(
        Func<Pop3TestServerOptions, Pop3TestServerOptions>? server = null, Func<Pop3ClientOptions, Pop3ClientOptions>? tweak = null, ITranscript? transcript = null)
    {
        var started = await StartPop3ServerAsync(server);
        var options = Pop3OptionsFor(started, Sys, transcript);
        return (started, await Pop3Client.ConnectAsync(tweak is null ? options : tweak(options)));
    }

    private async Task<(Pop3TestServer Server, Pop3Client Client)> LoggedInAsync(Func<Pop3TestServerOptions, Pop3TestServerOptions>? server = null)
    {
        var (started, client) = await ConnectAsync(server);
        await client.LoginAsync(Pop3User, Pop3Password);
        return (started, client);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // ---- constructor options ----

    [Fact]
    public async Task New_connects_and_exposes_banner_host_and_capabilities()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;

        Assert.StartsWith("MailActors POP3 test server ready.", client.Banner, StringComparison.Ordinal);
        Assert.Contains(client.ApopTimestamp!, client.Banner, StringComparison.Ordinal);
        Assert.Equal($"127.0.0.1", client.Host);
        Assert.True(client.Capabilities.Uidl);
        Assert.Equal(1, server.SessionsOpened);
    }

    [Fact]
    public async Task Host_list_is_tried_in_turn()
    {
        var server = await StartPop3ServerAsync();
        await using var client = await Pop3Client.ConnectAsync(Pop3OptionsFor(server, Sys) with { Host = [$"127.0.0.1:{UnusedPort()}", $"127.0.0.1:{server.Port}"] });

        Assert.Equal($"127.0.0.1:{server.Port}", client.Host);
    }

    [Fact]
    public async Task Port_applies_to_hosts_that_name_none()
    {
        var server = await StartPop3ServerAsync();
        await using var client = await Pop3Client.ConnectAsync(Pop3OptionsFor(server, Sys) with { Host = ["127.0.0.1"], Port = server.Port });

        Assert.Equal(1, server.SessionsOpened);
    }

    [Fact]
    public void Without_a_port_hosts_get_110_or_995_with_ssl()
    {
        // What `mailactors fetch --tls implicit` without --port builds on.
        Assert.Equal(110, new Pop3ClientOptions().ToSessionSettings().Connection.DefaultPort);
        Assert.Equal(995, new Pop3ClientOptions { Ssl = true }.ToSessionSettings().Connection.DefaultPort);
        Assert.Equal(2995, new Pop3ClientOptions { Ssl = true, Port = 2995 }.ToSessionSettings().Connection.DefaultPort);
    }

    [Fact]
    public async Task Ssl_connects_with_implicit_tls()
    {
        var (_, client) = await ConnectAsync(o => o with { ImplicitTls = true, StartTls = false }, o => o with { Ssl = true });
        await using var _ = client;

        Assert.True(client.IsEncrypted);
    }

    [Fact]
    public async Task Cancelling_the_connect_during_the_TLS_handshake_leaves_no_connection_open()
    {
        var server = await StartPop3ServerAsync(o => o with { ImplicitTls = true, StartTls = false });
        var checkedIt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var options = Pop3OptionsFor(server, Sys) with { Ssl = true, Tls = SlowCertificateCheck(checkedIt) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Pop3Client.ConnectAsync(options, cancel.Token));

        await AwaitNoServerSessionAfter(checkedIt, () => server.SessionsActive);
    }

    [Fact]
    public async Task LocalAddr_and_LocalPort_bind_the_client_socket()
    {
        var localPort = UnusedPort();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.SendAsync("+OK hello\r\n-ERR no CAPA\r\n"u8.ToArray());
            return (IPEndPoint)socket.RemoteEndPoint!;
        });

        await using var client = await Pop3Client.ConnectAsync(new Pop3ClientOptions
        {
            Host = ["127.0.0.1"], Port = ((IPEndPoint)listener.LocalEndpoint).Port, LocalAddr = IPAddress.Loopback, LocalPort = localPort, ActorSystem = Sys,
        });

        Assert.Equal(localPort, (await serving).Port);
        Assert.Equal(Pop3Capabilities.Empty.Lines, client.Capabilities.Lines);
    }

    [Fact]
    public async Task Family_ipv6_connects_over_ipv6_and_ipv4_refuses_an_ipv6_host()
    {
        Assert.True(Pop3Client.CanInet6, "this machine must support IPv6 on loopback for the Family option to be tested");
        var server = await StartPop3ServerAsync(o => o with { Address = IPAddress.IPv6Loopback });
        var options = Pop3OptionsFor(server, Sys) with { Host = [$"[::1]:{server.Port}"] };

        await using var client = await Pop3Client.ConnectAsync(options with { Family = AddressFamily.InterNetworkV6 });
        await Assert.ThrowsAsync<MailConnectException>(() => Pop3Client.ConnectAsync(options with { Family = AddressFamily.InterNetwork }));

        Assert.Equal($"[::1]:{server.Port}", client.Host);
    }

    [Fact]
    public async Task Timeout_bounds_the_wait_for_the_server()
    {
        var (server, client) = await ConnectAsync(tweak: o => o with { Timeout = TimeSpan.FromMilliseconds(500) });
        await using var _ = client;
        server.Faults.Add(FaultRule.On("NOOP", FaultAction.Tarpit()));
        await client.LoginAsync(Pop3User, Pop3Password);

        await Assert.ThrowsAsync<MailTimeoutException>(() => client.NoopAsync());
    }

    [Fact]
    public async Task Debug_transcript_shows_both_sides_with_secrets_redacted()
    {
        var transcript = new CollectingTranscript();
        var (_, client) = await ConnectAsync(transcript: transcript);
        await using var _ = client;

        await client.LoginAsync(Pop3User, Pop3Password);
        await client.QuitAsync();

        var text = transcript.ToString();
        Assert.Contains("C: USER alice", text, StringComparison.Ordinal);
        Assert.Contains("C: PASS ****", text, StringComparison.Ordinal);
        Assert.Contains("S: +OK", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Pop3Password, text, StringComparison.Ordinal);
        Assert.True(new Pop3ClientOptions { Debug = true }.ToSessionSettings().Transcript is TextWriterTranscript);
    }

    // ---- AUTHORIZATION methods ----

    [Fact]
    public async Task Login_returns_the_message_count()
    {
        var (_, client) = await ConnectAsync();
        await using var _ = client;

        Assert.Equal(3, await client.LoginAsync(Pop3User, Pop3Password));
    }

    [Fact]
    public async Task User_then_Pass_returns_the_message_count()
    {
        var (_, client) = await ConnectAsync();
        await using var _ = client;

        await client.UserAsync(Pop3User);
        Assert.Equal(3, await client.PassAsync(Pop3Password));
    }

    [Fact]
    public async Task Apop_returns_the_message_count()
    {
        var (_, client) = await ConnectAsync();
        await using var _ = client;

        Assert.Equal(3, await client.ApopAsync(Pop3User, Pop3Password));
    }

    [Fact]
    public async Task Auth_with_user_and_password_and_with_a_forced_mechanism()
    {
        var (_, client) = await ConnectAsync();
        await using var _ = client;
        var (_, other) = await ConnectAsync();
        await using var __ = other;

        Assert.Equal(3, await client.AuthAsync(Pop3User, Pop3Password));
        Assert.Equal(3, await other.AuthAsync(new SaslCredentials(Pop3User, Pop3Password), "LOGIN"));
    }

    [Fact]
    public async Task A_wrong_password_is_a_typed_error()
    {
        var (_, client) = await ConnectAsync();
        await using var _ = client;

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => client.LoginAsync(Pop3User, "wrong"));

        Assert.True(error.IsAuthenticationFailure);
        Assert.Equal("PASS", error.Command);
        Assert.Equal(3, await client.LoginAsync(Pop3User, Pop3Password));
    }

    [Fact]
    public async Task StartTls_then_login()
    {
        var (_, client) = await ConnectAsync(tweak: o => o with { AllowCleartextAuthentication = false });
        await using var _ = client;

        await client.StartTlsAsync();

        Assert.True(client.IsEncrypted);
        Assert.Equal(3, await client.LoginAsync(Pop3User, Pop3Password));
    }

    [Fact]
    public async Task Capa_asks_and_Capabilities_answers_from_the_cache()
    {
        var (server, client) = await ConnectAsync(tweak: o => o with { RequestCapabilities = false });
        await using var _ = client;

        Assert.Empty(client.Capabilities.Lines);
        var asked = await client.CapabilitiesAsync();
        var cached = await client.CapabilitiesAsync();
        var again = await client.CapaAsync();

        Assert.True(asked.Pipelining);
        Assert.Same(asked, cached);
        Assert.Equal(asked.Lines, again.Lines);
        Assert.Equal(2, server.CommandLog.Count(c => c == "CAPA"));
    }

    [Fact]
    public void CanSsl_and_CanInet6_report_the_platform()
    {
        Assert.True(Pop3Client.CanSsl);
        Assert.Equal(Socket.OSSupportsIPv6, Pop3Client.CanInet6);
    }

    // ---- TRANSACTION methods ----

    [Fact]
    public async Task PopStat_and_List_one_or_all()
    {
        var (_, client) = await LoggedInAsync();
        await using var _ = client;

        Assert.Equal((3, SampleMessages.Sum(m => (long)m.Length)), await client.PopStatAsync());
        Assert.Equal(SampleMessages.Select((m, i) => KeyValuePair.Create(i + 1, (long)m.Length)), (await client.ListAsync()).OrderBy(e => e.Key));
        Assert.Equal(SampleMessages[1].Length, await client.ListAsync(2));
    }

    [Fact]
    public async Task Uidl_one_or_all()
    {
        var (server, client) = await LoggedInAsync();
        await using var _ = client;
        var stored = server.GetMailbox(Pop3User).Messages;

        var all = await client.UidlAsync();

        Assert.Equal(stored.Select(m => m.Uid), all.OrderBy(e => e.Key).Select(e => e.Value));
        Assert.Equal(stored[1].Uid, await client.UidlAsync(2));
    }

    [Fact]
    public async Task Get_as_a_MimeMessage_as_lines_as_bytes_and_into_a_stream()
    {
        var (_, client) = await LoggedInAsync();
        await using var _ = client;
        var destination = new MemoryStream();

        var message = await client.GetAsync(1);
        var lines = await client.GetLinesAsync(1);
        var bytes = await client.GetBytesAsync(3);
        var octets = await client.GetAsync(2, destination);

        Assert.Equal("first", message.Subject);
        Assert.Equal(["Subject: first", "From: a@example.test", "", "hello", ".leading dot"], lines);
        Assert.Equal(SampleMessages[2], bytes.ToArray());
        Assert.Equal(SampleMessages[1], destination.ToArray());
        Assert.Equal(SampleMessages[1].Length, octets);
    }

    [Fact]
    public async Task GetStream_reads_the_message_while_it_arrives()
    {
        var (_, client) = await LoggedInAsync();
        await using var _ = client;

        await using var stream = await client.GetStreamAsync(2);
        using var reader = new StreamReader(stream, Encoding.UTF8);

        Assert.Equal(Encoding.UTF8.GetString(SampleMessages[1]), await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task GetMany_fetches_a_batch_in_one_flight()
    {
        var (_, client) = await LoggedInAsync();
        await using var _ = client;

        var batch = await client.GetManyAsync([2, 3]);

        Assert.Equal(SampleMessages[1..].Select(m => m), batch.Select(m => m.Content!.Value.ToArray()));
    }

    [Fact]
    public async Task Top_returns_header_and_body_lines()
    {
        var (_, client) = await LoggedInAsync();
        await using var _ = client;

        Assert.Equal(["Subject: second", "From: b@example.test", ""], await client.TopAsync(2));
        Assert.Equal(["Subject: second", "From: b@example.test", "", "line 1", "line 2"], await client.TopAsync(2, 2));
    }

    [Fact]
    public async Task Last_returns_the_highest_message_accessed()
    {
        var (_, client) = await LoggedInAsync();
        await using var _ = client;

        Assert.Equal(0, await client.LastAsync());
        await client.GetBytesAsync(3);
        Assert.Equal(3, await client.LastAsync());
    }

    [Fact]
    public async Task Ping_returns_new_and_total_counts()
    {
        var (server, client) = await LoggedInAsync();
        await using var _ = client;
        server.Faults.Add(FaultRule.On("PING", FaultAction.Reply("+OK 1 3")));

        Assert.Equal((1, 3), await client.PingAsync(Pop3User));
    }

    [Fact]
    public async Task Delete_and_Quit_commit_and_Reset_undoes()
    {
        var (server, client) = await LoggedInAsync();
        await using var _ = client;

        await client.DeleteAsync(1);
        await client.ResetAsync();
        Assert.Empty(await client.PendingDeletesAsync());
        await client.DeleteAsync([2, 3]);
        Assert.Equal([2, 3], await client.PendingDeletesAsync());
        var quit = await client.QuitAsync();

        Assert.True(quit.IsOk);
        Assert.Equal([SampleMessages[0].Length], server.GetMailbox(Pop3User).Messages.Select(m => (int)m.Size));
    }

    [Fact]
    public async Task Disposing_with_pending_deletes_sends_rset_then_quit_and_deletes_nothing()
    {
        var (server, client) = await LoggedInAsync();

        await client.DeleteAsync(1);
        await client.DisposeAsync();

        Assert.Equal(["RSET", "QUIT"], server.CommandLog.TakeLast(2));
        Assert.Equal(3, server.GetMailbox(Pop3User).Messages.Count);
        Assert.Equal(0, server.DeletionsCommitted);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.NoopAsync());
    }

    [Fact]
    public async Task Disposing_without_pending_deletes_just_quits()
    {
        var (server, client) = await LoggedInAsync();

        await client.DisposeAsync();

        Assert.Equal("QUIT", server.CommandLog[^1]);
        Assert.DoesNotContain("RSET", server.CommandLog);
    }

    [Fact]
    public async Task Noop_and_Command_for_anything_else()
    {
        var (_, client) = await LoggedInAsync();
        await using var _ = client;

        await client.NoopAsync();
        var reply = await client.CommandAsync(Pop3Command.Raw("XYZZY"));

        Assert.True(client.LastResponse!.IsError);
        Assert.True(reply.Response.IsError);
        Assert.NotEmpty(client.Message);
    }

    [Fact]
    public async Task Invalid_arguments_are_refused_before_anything_is_sent()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        var before = server.CommandLog.Count;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.UserAsync("alice\r\nDELE 1"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.LoginAsync("alice", "pw\nQUIT"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetManyAsync([1, 0]));

        Assert.Equal(before, server.CommandLog.Count);
    }

    [Fact]
    public async Task A_greeting_refusal_fails_the_connect_with_the_response_code()
    {
        var error = await Assert.ThrowsAsync<Pop3CommandException>(() =>
            ConnectAsync(o => o with { Faults = [FaultRule.On(FaultCommands.Connect, FaultAction.Reply("-ERR [SYS/PERM] go away"))] }));

        Assert.Equal("SYS/PERM", error.ResponseCode);
    }
}
