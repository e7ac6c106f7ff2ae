using System.Globalization;
using Akka.Actor;
using MailActors.Protocol;
using MailActors.Protocol.Pop3;
using static MailActors.Pop3.Pop3Session;

namespace MailActors.Pop3;

// The TRANSACTION state (STAT, LIST, UIDL, TOP, RETR, DELE, RSET, NOOP, LAST), raw commands and QUIT (UPDATE).
public sealed partial class Pop3SessionActor
{
    private void ServeTransaction(ICommand command)
    {
        try
        {
            switch (command)
            {
                case Stat:
                    Exchange(Pop3Command.Stat(), response => Parsed("STAT", response, () =>
                    {
                        var (count, size) = Pop3Listing.ParseStat(response);
                        return new MailboxStatus(count, size);
                    }));
                    break;
                case List { MessageNumber: { } number }:
                    Exchange(Pop3Command.List(number), response => Parsed("LIST", response, () =>
                    {
                        var (n, size) = Pop3Listing.ParseList(response);
                        return new Listing([new MessageSize(n, size)]);
                    }));
                    break;
                case List:
                    ExchangeLines(Pop3Command.List(), (response, lines) => Parsed("LIST", response, () =>
                        new Listing(lines.Select(Pop3Listing.ParseListLine).Select(e => new MessageSize(e.Number, e.Size)).ToArray())));
                    break;
                case Uidl { MessageNumber: { } number }:
                    Exchange(Pop3Command.Uidl(number), response => Parsed("UIDL", response, () =>
                    {
                        var (n, uid) = Pop3Listing.ParseUidl(response);
                        return new UniqueIds([new MessageUid(n, uid)]);
                    }));
                    break;
                case Uidl:
                    ExchangeLines(Pop3Command.Uidl(), (response, lines) => Parsed("UIDL", response, () =>
                        new UniqueIds(lines.Select(Pop3Listing.ParseUidlLine).Select(e => new MessageUid(e.Number, e.Uid)).ToArray())));
                    break;
                case Retrieve retrieve:
                    Fetch("RETR", Pop3Command.Retr(retrieve.MessageNumber), retrieve.MessageNumber, retrieve.Target);
                    break;
                case Top top:
                    Fetch("TOP", Pop3Command.Top(top.MessageNumber, top.Lines), top.MessageNumber, top.Target);
                    break;
                case RetrieveMany many:
                    RetrieveBatch(many.MessageNumbers);
                    break;
                case Delete delete:
                    Exchange(Pop3Command.Dele(delete.MessageNumber), response =>
                    {
                        if (response.IsOk)
                        {
                            _pendingDeletes.Add(delete.MessageNumber);
                        }
                        FinishWithResponse("DELE", response, response, Transaction);
                    });
                    break;
                case DeleteMany many:
                    DeleteBatch(many.MessageNumbers);
                    break;
                case Reset:
                    Exchange(Pop3Command.Rset(), response =>
                    {
                        if (response.IsOk)
                        {
                            _pendingDeletes.Clear();
                        }
                        FinishWithResponse("RSET", response, response, Transaction);
                    });
                    break;
                case Noop:
                    Exchange(Pop3Command.Noop(), response => FinishWithResponse("NOOP", response, response, Transaction));
                    break;
                case Last:
                    Exchange(Pop3Command.Last(), response => Parsed("LAST", response, () => new LastAccessed(ParseLast(response))));
                    break;
            }
        }
        catch (ArgumentException e)
        {
            FinishWithFailure(e, Transaction); // a bad message number: refused before anything was written
        }
    }

    /// <summary>Answers with what <paramref name="parse"/> makes of a <c>+OK</c>; a reply that does not parse ends the session.</summary>
    private void Parsed(string command, Pop3Response response, Func<object> parse) => Parsed(command, response, parse, Transaction);

    private void Parsed(string command, Pop3Response response, Func<object> parse, UntypedReceive next)
    {
        if (!response.IsOk)
        {
            FinishWithFailure(new Pop3CommandException(command, response), next);
            return;
        }
        object reply;
        try
        {
            reply = parse();
        }
        catch (MailProtocolException e)
        {
            FailSession(e);
            return;
        }
        FinishWith(reply, next);
    }

    private static int ParseLast(Pop3Response response)
    {
        var first = response.Text.Split([' ', '\t'], 2)[0];
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new Pop3ProtocolException($"The POP3 server answered LAST with \"{response}\"; expected a message number.");
    }

    // ---- RETR / TOP ----

    private void Fetch(string verb, Pop3Command command, int number, MessageTarget? target)
    {
        switch (target ?? MessageTarget.InMemory)
        {
            case MessageTarget.Streaming:
                var pipe = new PipeSink(Wire);
                ExpectBody(pipe, status =>
                {
                    Record(status);
                    if (status.IsOk)
                    {
                        // The requester reads while the body arrives; this command rests only when the body has ended.
                        Requester.Tell(new MessageStreaming(number, status, pipe.Body));
                        Requester = ActorRefs.Nobody; // answered: a later failure reaches the reader through the stream
                    }
                }, status =>
                {
                    if (!status.IsOk)
                    {
                        FinishWithFailure(new Pop3CommandException(verb, status), Transaction);
                        return;
                    }
                    RecordBody(pipe.Octets);
                    pipe.Complete();
                    Rest(Transaction);
                });
                break;
            case MessageTarget.Destination destination:
                var sink = new DestinationSink(Wire, destination.Stream);
                ExpectBody(sink, Record, status =>
                {
                    if (!status.IsOk)
                    {
                        FinishWithFailure(new Pop3CommandException(verb, status), Transaction);
                        return;
                    }
                    RecordBody(sink.Octets);
                    if (sink.ConsumerError is { } error)
                    {
                        FinishWithFailure(new IOException($"{verb} {number}: writing the message to the destination failed: {error.Message}", error), Transaction);
                        return;
                    }
                    FinishWith(new MessageRetrieved(number, status, ReadOnlyMemory<byte>.Empty, sink.Octets), Transaction);
                });
                break;
            default:
                var memory = new MemorySink();
                ExpectBody(memory, Record, status =>
                {
                    if (!status.IsOk)
                    {
                        FinishWithFailure(new Pop3CommandException(verb, status), Transaction);
                        return;
                    }
                    RecordBody(memory.Content.WrittenCount);
                    FinishWith(new MessageRetrieved(number, status, memory.Content.WrittenMemory, memory.Content.WrittenCount), Transaction);
                });
                break;
        }
        Send(command);
    }

    // ---- batches: one write with PIPELINING, in turn without ----

    private void RetrieveBatch(IReadOnlyList<int> numbers)
    {
        var commands = numbers.Select(n => Pop3Command.Retr(n)).ToArray();
        var results = new RetrievedMessage[numbers.Count];
        void ExpectOne(int index)
        {
            var memory = new MemorySink();
            ExpectBody(memory, Record, status =>
            {
                if (status.IsOk)
                {
                    RecordBody(memory.Content.WrittenCount);
                }
                results[index] = new RetrievedMessage(numbers[index], status, status.IsOk ? memory.Content.WrittenMemory : (ReadOnlyMemory<byte>?)null);
            });
        }
        RunBatch(commands, ExpectOne, () => FinishWith(new MessagesRetrieved(results), Transaction));
    }

    private void DeleteBatch(IReadOnlyList<int> numbers)
    {
        var commands = numbers.Select(n => Pop3Command.Dele(n)).ToArray();
        var results = new DeleteResult[numbers.Count];
        void ExpectOne(int index) => ExpectStatus(response =>
        {
            if (response.IsOk)
            {
                _pendingDeletes.Add(numbers[index]);
            }
            results[index] = new DeleteResult(numbers[index], response);
        });
        RunBatch(commands, ExpectOne, () => FinishWith(new DeleteResults(results), Transaction));
    }

    /// <summary>Sends <paramref name="commands"/> — all in one write when the server pipelines, else each after the previous
    /// response — and runs <paramref name="done"/> after the last response.</summary>
    private void RunBatch(IReadOnlyList<Pop3Command> commands, Action<int> expectOne, Action done)
    {
        if (CanPipeline)
        {
            for (var i = 0; i < commands.Count; i++)
            {
                expectOne(i);
            }
            Wire.AfterPending(done);
            SendGroup(commands);
            return;
        }
        void Next(int index)
        {
            if (index == commands.Count)
            {
                done();
                return;
            }
            expectOne(index);
            Wire.AfterPending(() => Next(index + 1));
            Send(commands[index]);
        }
        Next(0);
    }

    // ---- commands legal in AUTHORIZATION and TRANSACTION: CAPA, raw commands, QUIT ----

    private void ServeCommon(ICommand command)
    {
        if (command is Quit && State == "Transaction")
        {
            BeginAs(command, "Update");
        }
        else
        {
            Begin(command);
        }
        switch (command)
        {
            case Capa:
                RunCapa();
                break;
            case Raw { Command.IsMultiLine: true } raw:
                ExchangeLines(raw.Command, (response, lines) => FinishWith(new RawReply(response, response.IsOk ? lines : null), CurrentResting()));
                break;
            case Raw raw:
                Exchange(raw.Command, response => FinishWith(new RawReply(response, null), CurrentResting()));
                break;
            case ListLanguages:
                RunListLanguages();
                break;
            case SetLanguage set:
                RunSetLanguage(set.Tag);
                break;
            case Quit:
                Exchange(Pop3Command.Quit(), response =>
                {
                    CloseConnection("QUIT");
                    ClosedBecause = new MailSessionClosedException("QUIT completed.");
                    if (response.IsOk)
                    {
                        _pendingDeletes.Clear(); // committed by the server's UPDATE state
                    }
                    FinishWithResponse("QUIT", response, response, Closed);
                });
                break;
        }
    }

    // ---- LANG (RFC 6856) ----

    private bool RefusedWithoutLang()
    {
        if (!_capabilitiesAnswered || _capabilities.Lang)
        {
            return false;
        }
        FinishWithFailure(new MailNotSupportedException("LANG", $"{Link!.Host} did not list LANG in its capabilities."), CurrentResting());
        return true;
    }

    private void RunListLanguages()
    {
        if (RefusedWithoutLang())
        {
            return;
        }
        ExchangeLines(Pop3Command.Lang(), (response, lines) =>
            Parsed("LANG", response, () => new Languages(lines.Select(Pop3Language.Parse).ToArray(), response), CurrentResting()));
    }

    private void RunSetLanguage(string tag)
    {
        if (RefusedWithoutLang())
        {
            return;
        }
        Pop3Command lang;
        try
        {
            lang = Pop3Command.Lang(tag);
        }
        catch (ArgumentException e)
        {
            FinishWithFailure(e, CurrentResting()); // refused before anything was written
            return;
        }
        Exchange(lang, response => FinishWithResponse("LANG", response, response, CurrentResting()));
    }
}
