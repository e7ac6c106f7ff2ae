using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using MailActors.Transport;
using Xunit;

namespace MailActors.Tests.Net;

public sealed class ConnectionAbortSpecs
{
    [Fact]
    public async Task A_second_abort_does_nothing_and_throws_nothing_inside()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var spec = new ConnectionSpec { Hosts = [new ServerAddress("127.0.0.1", port)], DefaultPort = port };
        var connection = await Connection.OpenAsync(spec, CancellationToken.None);
        using var accepted = await listener.AcceptSocketAsync();

        // Exceptions thrown (and caught) on this thread only: other tests run in parallel.
        var thread = Environment.CurrentManagedThreadId;
        var thrown = new List<Exception>();
        void Record(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                lock (thrown)
                {
                    thrown.Add(e.Exception);
                }
            }
        }
        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            connection.Abort();
            connection.Abort(); // what a session's Close, then its lifetime's registration, do
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }

        Assert.Empty(thrown);
        // The first abort really closed the connection: the peer reads end of stream.
        var buffer = new byte[1];
        Assert.Equal(0, await accepted.ReceiveAsync(buffer, SocketFlags.None));
    }
}
