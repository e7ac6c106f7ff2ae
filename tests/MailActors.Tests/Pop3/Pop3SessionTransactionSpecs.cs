using System.Text;
using MailActors.Diagnostics;
using MailActors.Pop3;
using MailActors.Protocol.Pop3;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Tests.Pop3;

/// <summary>The TRANSACTION commands: listings, retrieval into every target, batches, deletion and its undoing.</summary>
public sealed class Pop3SessionTransactionSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    [Fact]
    public async Task Stat_list_and_uidl_describe_the_mailbox()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        var stored = server.GetMailbox(Pop3User).Messages;

        var stat = await AskPop3<MailboxStatus>(session, Stat.Instance);
        var all = await AskPop3<Listing>(session, new List());
        var one = await AskPop3<Listing>(session, new List(2));
        var uids = await AskPop3<UniqueIds>(session, new Uidl());
        var uid = await AskPop3<UniqueIds>(session, new Uidl(3));

        Assert.Equal(new MailboxStatus(3, SampleMessages.Sum(m => m.Length)), stat);
        Assert.Equal(SampleMessages.Select((m, i) => new MessageSize(i + 1, m.Length)), all.Messages);
        Assert.Equal([new MessageSize(2, SampleMessages[1].Length)], one.Messages);
        Assert.Equal(stored.Select((m, i) => new MessageUid(i + 1, m.Uid)), uids.Messages);
        Assert.Equal(stored[2].Uid, Assert.Single(uid.Messages).Uid);
    }

    [Fact]
    public async Task Retr_into_memory_unstuffs_dots_and_keeps_8bit_octets()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);

        var first = await AskPop3<MessageRetrieved>(session, new Retrieve(1));
        var third = await AskPop3<MessageRetrieved>(session, new Retrieve(3, MessageTarget.InMemory));

        Assert.Equal(SampleMessages[0], first.Content.ToArray());
        Assert.Equal(SampleMessages[2], third.Content.ToArray());
        Assert.Equal(SampleMessages[2].Length, third.Octets);
    }

    [Fact]
    public async Task Retr_to_a_stream_writes_the_message_as_it_arrives()
    {
        var big = Encoding.ASCII.GetBytes("Subject: big\r\n\r\n" + string.Concat(Enumerable.Range(0, 20000).Select(i => $".line {i}\r\n")));
        var server = await StartPop3ServerAsync(o => o with { Mailboxes = new Dictionary<string, Pop3Mailbox> { [Pop3User] = Pop3Mailbox.InMemory([big]) } });
        var session = await LoggedInPop3SessionAsync(server);
        var destination = new MemoryStream();

        var retrieved = await AskPop3<MessageRetrieved>(session, new Retrieve(1, MessageTarget.ToStream(destination)));

        Assert.Equal(big, destination.ToArray());
        Assert.Equal(big.Length, retrieved.Octets);
        Assert.True(retrieved.Content.IsEmpty);
    }

    [Fact]
    public async Task A_failing_destination_stream_fails_the_command_but_not_the_session()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);

        var error = await Assert.ThrowsAsync<IOException>(() => AskPop3<MessageRetrieved>(session, new Retrieve(2, MessageTarget.ToStream(new ReadOnlyStream()))));
        var next = await AskPop3<MessageRetrieved>(session, new Retrieve(3));

        Assert.Contains("destination", error.Message, StringComparison.Ordinal);
        Assert.Equal(SampleMessages[2], next.Content.ToArray());
    }

    [Fact]
    public async Task Retr_streamed_answers_at_the_status_line_and_the_session_waits_for_the_reader()
    {
        var big = Encoding.ASCII.GetBytes("Subject: big\r\n\r\n" + string.Concat(Enumerable.Range(0, 50000).Select(i => $"line {i} of a large message\r\n")));
        var server = await StartPop3ServerAsync(o => o with { Mailboxes = new Dictionary<string, Pop3Mailbox> { [Pop3User] = Pop3Mailbox.InMemory([big, SampleMessages[0]]) } });
        var session = await LoggedInPop3SessionAsync(server);

        var streaming = await AskPop3<MessageStreaming>(session, new Retrieve(1, MessageTarget.Streamed));
        var queued = AskPop3<MessageRetrieved>(session, new Retrieve(2));
        var copy = new MemoryStream();
        await streaming.Body.CopyToAsync(copy);

        Assert.Equal(big, copy.ToArray());
        Assert.Equal(SampleMessages[0], (await queued).Content.ToArray());
    }

    [Fact]
    public async Task A_reader_that_gives_up_on_a_streamed_message_leaves_the_session_usable()
    {
        var big = Encoding.ASCII.GetBytes("Subject: big\r\n\r\n" + string.Concat(Enumerable.Range(0, 50000).Select(i => $"line {i} of a large message\r\n")));
        var server = await StartPop3ServerAsync(o => o with { Mailboxes = new Dictionary<string, Pop3Mailbox> { [Pop3User] = Pop3Mailbox.InMemory([big]) } });
        var session = await LoggedInPop3SessionAsync(server);

        var streaming = await AskPop3<MessageStreaming>(session, new Retrieve(1, MessageTarget.Streamed));
        var head = new byte[100];
        await streaming.Body.ReadExactlyAsync(head);
        await streaming.Body.DisposeAsync();

        Assert.Equal(big.AsSpan(0, 100).ToArray(), head);
        Assert.Equal(1, (await AskPop3<MailboxStatus>(session, Stat.Instance)).Count);
    }

    [Fact]
    public async Task Top_returns_the_headers_and_the_first_lines()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);

        var top = await AskPop3<MessageRetrieved>(session, new Top(2, 1));

        Assert.Equal("Subject: second\r\nFrom: b@example.test\r\n\r\nline 1\r\n", Encoding.ASCII.GetString(top.Content.Span));
    }

    [Fact]
    public async Task RetrieveMany_pipelines_the_batch_and_reports_each_message()
    {
        var server = await StartPop3ServerAsync();
        var transcript = new CollectingTranscript();
        var session = await LoggedInPop3SessionAsync(server, transcript);

        var batch = await AskPop3<MessagesRetrieved>(session, new RetrieveMany([3, 9, 1]));

        Assert.Equal([3, 9, 1], batch.Messages.Select(m => m.Number));
        Assert.Equal(SampleMessages[2], batch.Messages[0].Content!.Value.ToArray());
        Assert.True(batch.Messages[1].Response.IsError);
        Assert.Null(batch.Messages[1].Content);
        Assert.Equal(SampleMessages[0], batch.Messages[2].Content!.Value.ToArray());
        // One flight: the three commands were written before the first response was read.
        var lines = transcript.Lines.Select(l => l.Line).ToList();
        var firstRetr = lines.IndexOf("RETR 3");
        Assert.Equal(["RETR 3", "RETR 9", "RETR 1"], lines.Skip(firstRetr).Take(3));
    }

    [Fact]
    public async Task Batches_go_one_by_one_when_the_server_does_not_pipeline()
    {
        var server = await StartPop3ServerAsync(o => o with { Pipelining = false });
        var transcript = new CollectingTranscript();
        var session = await LoggedInPop3SessionAsync(server, transcript);

        var batch = await AskPop3<DeleteResults>(session, new DeleteMany([1, 2]));

        Assert.All(batch.Messages, m => Assert.True(m.Deleted));
        var lines = transcript.Lines.Select(l => l.Line).ToList();
        Assert.StartsWith("+OK", lines[lines.IndexOf("DELE 1") + 1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dele_marks_and_rset_unmarks_and_quit_commits_only_what_is_marked()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);

        await AskPop3<Pop3Response>(session, new Delete(1));
        var many = await AskPop3<DeleteResults>(session, new DeleteMany([2, 3]));
        var marked = (await AskPop3<Info>(session, GetInfo.Instance)).PendingDeletes;
        await AskPop3<Pop3Response>(session, Reset.Instance);
        var afterReset = (await AskPop3<Info>(session, GetInfo.Instance)).PendingDeletes;
        await AskPop3<Pop3Response>(session, new Delete(3));
        await AskPop3<Pop3Response>(session, Quit.Instance);

        Assert.All(many.Messages, m => Assert.True(m.Deleted));
        Assert.Equal([1, 2, 3], marked);
        Assert.Empty(afterReset);
        Assert.Equal(SampleMessages[..2].Select(m => m.Length), server.GetMailbox(Pop3User).Messages.Select(m => (int)m.Size));
    }

    [Fact]
    public async Task Dele_of_a_deleted_message_is_a_typed_error_and_the_session_goes_on()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        await AskPop3<Pop3Response>(session, new Delete(1));

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => AskPop3<Pop3Response>(session, new Delete(1)));

        Assert.Equal("DELE", error.Command);
        Assert.True(error.Response.IsError);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    [Fact]
    public async Task Noop_last_capa_and_raw_commands_answer_in_Transaction()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        await AskPop3<MessageRetrieved>(session, new Retrieve(2));

        var noop = await AskPop3<Pop3Response>(session, Noop.Instance);
        var last = await AskPop3<LastAccessed>(session, Last.Instance);
        var capa = await AskPop3<CapabilitiesRead>(session, Capa.Instance);
        var raw = await AskPop3<RawReply>(session, new Raw(Pop3Command.Raw("XYZZY")));
        var rawList = await AskPop3<RawReply>(session, new Raw(Pop3Command.Raw("LIST", multiLineReply: true)));

        Assert.True(noop.IsOk);
        Assert.Equal(2, last.MessageNumber);
        Assert.True(capa.Capabilities.Top);
        Assert.True(raw.Response.IsError);
        Assert.Equal(3, rawList.Lines!.Count);
    }

    [Fact]
    public async Task A_bad_message_number_is_refused_before_anything_is_written()
    {
        var server = await StartPop3ServerAsync();
        var session = await LoggedInPop3SessionAsync(server);
        var before = server.CommandLog.Count;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => AskPop3<MessageRetrieved>(session, new Retrieve(0)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => AskPop3<Pop3Response>(session, new Delete(-1)));

        Assert.Equal(before, server.CommandLog.Count);
        Assert.Equal("Transaction", await Pop3StateOf(session));
    }

    /// <summary>A destination that refuses every write.</summary>
    private sealed class ReadOnlyStream : MemoryStream
    {
        public override bool CanWrite => false;
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("read-only");
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new NotSupportedException("read-only"));
    }
}
