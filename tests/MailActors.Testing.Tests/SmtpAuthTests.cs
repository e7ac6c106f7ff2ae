using System.Security.Cryptography;
using System.Text;

namespace MailActors.Testing.Tests;

public sealed class SmtpAuthTests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "s3cret", ["bob"] = "hunter2" };

    private static Task<SmtpTestServer> StartAsync(bool requireTlsForAuth = false) => SmtpTestServer.StartAsync(new SmtpTestServerOptions
    {
        AuthMechanisms = [SaslMechanisms.Plain, SaslMechanisms.Login, SaslMechanisms.CramMd5, SaslMechanisms.ScramSha256],
        Users = Users,
        RequireTlsForAuth = requireTlsForAuth,
        RelayDeniedDomains = ["elsewhere.test"],
    });

    private static async Task<RawClient> GreetAsync(SmtpTestServer server)
    {
        var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        return client;
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Plain_with_initial_response_succeeds_and_the_payload_is_logged_raw()
    {
        await using var server = await StartAsync();
        await using var client = await GreetAsync(server);
        var payload = B64("\0alice\0s3cret");

        Assert.Equal("235 2.7.0 Authentication successful", (await client.CommandAsync("AUTH PLAIN " + payload)).Last);
        Assert.Equal(503, (await client.CommandAsync("AUTH PLAIN " + payload)).Code);
        Assert.Contains("AUTH PLAIN " + payload, server.CommandLog);
        Assert.Equal("alice", Assert.Single(server.Sessions).AuthenticatedUser);

        // An authenticated client may relay.
        await client.CommandAsync("MAIL FROM:<alice@example.test>");
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<x@elsewhere.test>")).Code);
        await client.CommandAsync("DATA");
        await client.CommandAsync("x\r\n.");
        Assert.Equal("alice", Assert.Single(server.Messages).AuthenticatedUser);
    }

    [Fact]
    public async Task Plain_with_continuation_succeeds_and_wrong_password_fails()
    {
        await using var server = await StartAsync();
        await using var client = await GreetAsync(server);

        Assert.Equal("334 ", (await client.CommandAsync("AUTH PLAIN")).Last);
        Assert.Equal("535 5.7.8 Error: authentication failed", (await client.CommandAsync(B64("\0alice\0wrong"))).Last);
        Assert.Equal(334, (await client.CommandAsync("AUTH PLAIN")).Code);
        var continuation = B64("\0alice\0s3cret");
        Assert.Equal(235, (await client.CommandAsync(continuation)).Code);
        Assert.Contains(continuation, server.CommandLog);
    }

    [Fact]
    public async Task Plain_refuses_a_different_authorization_identity()
    {
        await using var server = await StartAsync();
        await using var client = await GreetAsync(server);
        Assert.Equal(535, (await client.CommandAsync("AUTH PLAIN " + B64("bob\0alice\0s3cret"))).Code);
    }

    [Fact]
    public async Task Login_prompts_for_user_and_password()
    {
        await using var server = await StartAsync();
        await using var client = await GreetAsync(server);

        Assert.Equal("334 " + B64("Username:"), (await client.CommandAsync("AUTH LOGIN")).Last);
        Assert.Equal("334 " + B64("Password:"), (await client.CommandAsync(B64("bob"))).Last);
        Assert.Equal(235, (await client.CommandAsync(B64("hunter2"))).Code);

        await using var other = await GreetAsync(server);
        Assert.Equal("334 " + B64("Password:"), (await other.CommandAsync("AUTH LOGIN " + B64("bob"))).Last);
        Assert.Equal(535, (await other.CommandAsync(B64("hunter3"))).Code);
    }

    [Fact]
    public async Task Cram_md5_verifies_the_hmac_of_the_challenge()
    {
        await using var server = await StartAsync();
        await using var client = await GreetAsync(server);

        var challenge = await client.CommandAsync("AUTH CRAM-MD5");
        Assert.Equal(334, challenge.Code);
        var timestamp = Encoding.ASCII.GetString(Convert.FromBase64String(challenge.Last[4..]));
        Assert.Matches(@"^<\d+\.\d+@localhost>$", timestamp);
        var digest = Convert.ToHexStringLower(HMACMD5.HashData(Encoding.UTF8.GetBytes("s3cret"), Encoding.ASCII.GetBytes(timestamp)));
        Assert.Equal(235, (await client.CommandAsync(B64("alice " + digest))).Code);

        await using var other = await GreetAsync(server);
        var second = await other.CommandAsync("AUTH CRAM-MD5");
        Assert.NotEqual(challenge.Last, second.Last);
        Assert.Equal(535, (await other.CommandAsync(B64("alice " + digest))).Code);
    }

    [Fact]
    public async Task Scram_sha_256_exchange_succeeds_and_proves_the_server()
    {
        await using var server = await StartAsync();
        await using var client = await GreetAsync(server);

        const string clientNonce = "rOprNGfwEbeRWgbNEkqO";
        var clientFirstBare = $"n=alice,r={clientNonce}";
        var serverFirstReply = await client.CommandAsync("AUTH SCRAM-SHA-256 " + B64("n,," + clientFirstBare));
        Assert.Equal(334, serverFirstReply.Code);
        var serverFirst = Encoding.UTF8.GetString(Convert.FromBase64String(serverFirstReply.Last[4..]));
        var fields = serverFirst.Split(',').ToDictionary(f => f[0], f => f[2..]);
        Assert.StartsWith(clientNonce, fields['r'], StringComparison.Ordinal);

        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("s3cret"), Convert.FromBase64String(fields['s']), int.Parse(fields['i'], System.Globalization.CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var withoutProof = $"c={B64("n,,")},r={fields['r']}";
        var authMessage = Encoding.UTF8.GetBytes($"{clientFirstBare},{serverFirst},{withoutProof}");
        var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), authMessage);
        var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();

        var serverFinal = await client.CommandAsync(B64($"{withoutProof},p={Convert.ToBase64String(proof)}"));
        Assert.Equal(334, serverFinal.Code);
        var expectedServerSignature = HMACSHA256.HashData(HMACSHA256.HashData(salted, "Server Key"u8), authMessage);
        Assert.Equal("v=" + Convert.ToBase64String(expectedServerSignature), Encoding.UTF8.GetString(Convert.FromBase64String(serverFinal.Last[4..])));
        Assert.Equal(235, (await client.CommandAsync("")).Code);
    }

    [Fact]
    public async Task Cancel_malformed_unknown_mechanism_and_unknown_user_are_refused()
    {
        await using var server = await StartAsync();
        await using var client = await GreetAsync(server);

        await client.CommandAsync("AUTH LOGIN");
        Assert.Equal("501 5.7.0 Authentication aborted", (await client.CommandAsync("*")).Last);
        await client.CommandAsync("AUTH PLAIN");
        Assert.Equal(501, (await client.CommandAsync("!!not base64!!")).Code);
        Assert.Equal(504, (await client.CommandAsync("AUTH GSSAPI")).Code);
        Assert.Equal(535, (await client.CommandAsync("AUTH PLAIN " + B64("\0mallory\0x"))).Code);
        Assert.Equal(0, server.RepliesByCode.GetValueOrDefault(235));
    }

    [Fact]
    public async Task Auth_requires_tls_when_configured_and_is_advertised_only_then()
    {
        await using var server = await StartAsync(requireTlsForAuth: true);
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        Assert.DoesNotContain((await client.CommandAsync("EHLO client.test")).Lines, line => line.Contains("AUTH", StringComparison.Ordinal));
        Assert.Equal(538, (await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret"))).Code);

        await client.CommandAsync("STARTTLS");
        await client.UpgradeToTlsAsync(server.Certificate);
        Assert.Contains("250-AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256", (await client.CommandAsync("EHLO client.test")).Lines);
        Assert.Equal(235, (await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret"))).Code);
    }

    [Fact]
    public async Task Submission_server_requires_auth_before_mail()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { RequireAuth = true, AuthMechanisms = [SaslMechanisms.Plain], Users = Users });
        await using var client = await GreetAsync(server);
        Assert.Equal("530 5.7.0 Authentication required", (await client.CommandAsync("MAIL FROM:<a@example.test>")).Last);
        await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret"));
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test> AUTH=<>")).Code);
    }
}
