namespace MailActors.Interop.Tests.Infrastructure;

/// <summary>
/// The xunit collection of tests that talk to the real Postfix/Dovecot/smtp-sink instances. Mark a test class with
/// <c>[Collection(RealServers.CollectionName)]</c> and take <see cref="RealServers"/> in its constructor.
/// </summary>
[CollectionDefinition(RealServers.CollectionName)]
public sealed class RealServersCollection : ICollectionFixture<RealServers>;
