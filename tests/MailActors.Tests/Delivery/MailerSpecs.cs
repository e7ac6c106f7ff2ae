using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Streams;
using Akka.Streams.Dsl;
using MailActors.Delivery;
using MailActors.Diagnostics;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;

namespace MailActors.Tests.Delivery;

/// <summary>Routing, backpressure, isolation between routes, the Akka.Streams face and metrics.</summary>
public sealed class MailerSpecs(ITestOutputHelper output) : DeliveryTestKit(output)
{
    [Fact]
    public async Task Recipients_are_routed_by_domain_and_the_report_keeps_their_order()
    {
        var partners = await StartServerAsync();
        var everyone = await StartServerAsync();
        var mailer = StartMailer(RouteTo(everyone, "default"), RouteTo(partners, "partners") with { Domains = ["partner.test", "*.partner.test"] });

        var report = await mailer.SendAsync(Mail("a@example.test", "b@partner.test", "c@eu.partner.test", "d@example.test"));

        Assert.True(report.AllDelivered);
        Assert.Equal(["a@example.test", "b@partner.test", "c@eu.partner.test", "d@example.test"], report.Recipients.Select(r => r.Address));
        Assert.Equal(["b@partner.test", "c@eu.partner.test"], partners.Messages.Single().Envelope.Recipients.Select(r => r.Address));
        Assert.Equal(["a@example.test", "d@example.test"], everyone.Messages.Single().Envelope.Recipients.Select(r => r.Address));
    }

    [Fact]
    public async Task A_recipient_listed_twice_across_routes_gets_one_outcome_per_entry()
    {
        var partners = await StartServerAsync();
        var everyone = await StartServerAsync();
        var mailer = StartMailer(RouteTo(everyone, "default"), RouteTo(partners, "partners") with { Domains = ["partner.test"] });

        var report = await mailer.SendAsync(Mail("a@example.test", "b@partner.test", "A@example.test"));

        Assert.True(report.AllDelivered);
        Assert.Equal(["a@example.test", "b@partner.test", "A@example.test"], report.Recipients.Select(r => r.Address)); // as the caller wrote each
    }

    [Fact]
    public async Task Per_recipient_parameters_are_found_whatever_the_case_of_their_key()
    {
        var server = await StartServerAsync();
        var mailer = StartMailer(RouteTo(server));
        var caseSensitive = new Dictionary<string, MailActors.Protocol.Smtp.RecipientParameters>(StringComparer.Ordinal)
        {
            ["Bob@Example.Test"] = new() { Notify = MailActors.Protocol.Smtp.DsnNotify.Never },
        };

        await mailer.SendAsync(Mail("bob@example.test") with { PerRecipientParameters = caseSensitive });
        caseSensitive.Clear(); // the message took a copy

        Assert.Contains("RCPT TO:<bob@example.test> NOTIFY=NEVER", server.CommandLog);
    }

    [Fact]
    public async Task A_message_can_name_its_route()
    {
        var first = await StartServerAsync();
        var second = await StartServerAsync();
        var mailer = StartMailer(RouteTo(first, "first"), RouteTo(second, "second"));

        await mailer.SendAsync(Mail("a@example.test") with { Route = "second" });
        await Assert.ThrowsAsync<ArgumentException>(() => mailer.SendAsync(Mail("a@example.test") with { Route = "nowhere" }));

        Assert.Empty(first.Messages);
        Assert.Single(second.Messages);
    }

    [Fact]
    public async Task A_tarpitting_destination_never_delays_another_route()
    {
        var slow = await StartServerAsync();
        slow.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Tarpit()));
        var fast = await StartServerAsync();
        var mailer = StartMailer(
            RouteTo(slow, "slow") with { Domains = ["slow.test"], Session = RouteTo(slow).Session with { CommandTimeout = TimeSpan.FromSeconds(30) } },
            RouteTo(fast, "fast") with { Domains = ["fast.test"] });

        var stuck = Enumerable.Range(0, 20).Select(i => mailer.SendAsync(Mail($"r{i}@slow.test"))).ToArray();
        var flowing = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => mailer.SendAsync(Mail($"r{i}@fast.test"))));

        Assert.All(flowing, r => Assert.True(r.AllDelivered));
        Assert.Equal(50, fast.MessagesReceived);
        Assert.All(stuck, t => Assert.False(t.IsCompleted));
    }

    [Fact]
    public async Task The_stream_face_delivers_everything_with_backpressure()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });
        var mailer = StartMailer(RouteTo(server) with { QueueCapacity = 8 });
        var materializer = Sys.Materializer();

        var reports = await Source.From(Enumerable.Range(0, 500).Select(i => Mail($"r{i}@example.test")))
            .Via(mailer.Flow(parallelism: 16))
            .RunAggregate(0, (delivered, report) => delivered + (report.AllDelivered ? 1 : 0), materializer);
        var done = await Source.From(Enumerable.Range(0, 100).Select(i => Mail($"s{i}@example.test"))).RunWith(mailer.Sink(), materializer);

        Assert.Equal(500, reports);
        Assert.Equal(Akka.Done.Instance, done);
        Assert.Equal(600, server.MessagesReceived);
    }

    [Fact]
    public async Task Backpressure_bounds_what_is_in_flight_against_a_slow_server_and_throughput_returns()
    {
        const int Offered = 100_000;
        const int Parallelism = 64;
        const int QueueCapacity = 32;
        const int Sessions = 8;
        var server = await StartServerAsync(new SmtpTestServerOptions { Record = false });
        var stall = server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromSeconds(2))));
        var mailer = StartMailer(RouteTo(server) with { MaxSessions = Sessions, QueueCapacity = QueueCapacity, Session = RouteTo(server).Session with { CommandTimeout = TimeSpan.FromSeconds(10) } });
        var content = Mail("x@example.test").Content;
        long produced = 0;
        var source = Source.From(Enumerable.Range(0, Offered))
            .Select(i =>
            {
                Interlocked.Increment(ref produced);
                return new OutgoingMail("sender@example.test", [$"r{i}@example.test"], content);
            });

        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var run = source.Via(mailer.Flow(parallelism: Parallelism)).RunAggregate(0L, (n, _) => n + 1, Sys.Materializer());
        await Task.Delay(TimeSpan.FromSeconds(1));
        var producedWhileStalled = Interlocked.Read(ref produced);
        var inProgress = server.SessionsActive;
        var memoryWhileStalled = GC.GetTotalMemory(forceFullCollection: true) - before;

        server.Faults.Remove(stall);
        var delivered = await run.WaitAsync(TimeSpan.FromMinutes(3));

        // The producer is held at the flow's window plus Akka.Streams' small input buffers; the server never sees
        // more concurrent transactions than the route has sessions.
        Assert.InRange(producedWhileStalled, 1, Parallelism + QueueCapacity + Sessions + 32);
        Assert.InRange(inProgress, 1, Sessions);
        Assert.InRange(memoryWhileStalled, long.MinValue, 64L * 1024 * 1024);
        Assert.Equal(Offered, delivered);
        Assert.Equal(Offered, server.MessagesReceived);
    }

    [Fact]
    public async Task Metrics_count_messages_and_recipients_by_outcome_and_time_protocol_steps()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { UnknownRecipients = ["ghost@example.test"] });
        var route = "metrics-" + Guid.NewGuid().ToString("N");
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MailActorsTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }
            if (Equals(dictionary.GetValueOrDefault("route"), route))
            {
                lock (measurements)
                {
                    measurements.Add((instrument.Name, value, dictionary));
                }
            }
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        var mailer = StartMailer(RouteTo(server, route));

        await mailer.SendAsync(Mail("a@example.test", "ghost@example.test"));

        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "mailactors.messages" && Equals(m.Tags["outcome"], "partial"));
            Assert.Contains(measurements, m => m.Instrument == "mailactors.recipients" && Equals(m.Tags["outcome"], "delivered"));
            Assert.Contains(measurements, m => m.Instrument == "mailactors.recipients" && Equals(m.Tags["outcome"], "failed"));
            Assert.Contains(measurements, m => m.Instrument == "mailactors.smtp.step.duration" && Equals(m.Tags["step"], "RCPT"));
            Assert.Contains(measurements, m => m.Instrument == "mailactors.smtp.step.duration" && Equals(m.Tags["step"], "connect"));
            Assert.Contains(measurements, m => m.Instrument == "mailactors.sessions.open" && m.Value == 1);
        }
    }

    [Fact]
    public async Task The_spans_of_one_message_on_two_routes_are_siblings()
    {
        var first = await StartServerAsync();
        var second = await StartServerAsync();
        var prefix = "spans-" + Guid.NewGuid().ToString("N");
        using var telemetry = new RouteTelemetry(prefix);
        var mailer = StartMailer(RouteTo(first, prefix + "-a"), RouteTo(second, prefix + "-b") with { Domains = ["b.test"] });

        using (var caller = new Activity("caller").Start())
        {
            await mailer.SendAsync(Mail("x@a.test", "y@b.test"));

            var spans = telemetry.Started;
            Assert.Equal(2, spans.Count);
            Assert.All(spans, s => Assert.Equal(caller.SpanId, s.ParentSpanId));
            Assert.All(spans, s => Assert.Equal(caller.TraceId, s.TraceId));
        }

        await mailer.SendAsync(Mail("x@a.test", "y@b.test"));

        var roots = telemetry.Started.Skip(2).ToList();
        Assert.Equal(2, roots.Count);
        Assert.All(roots, s => Assert.Null(s.Parent));
        Assert.All(roots, s => Assert.Equal(default, s.ParentSpanId));
    }

    [Fact]
    public async Task Messages_a_stopping_route_gives_up_end_their_spans_are_counted_aborted_and_leave_the_queue()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On(FaultCommands.EndOfData, FaultAction.Tarpit()));
        var route = "aborted-" + Guid.NewGuid().ToString("N");
        using var telemetry = new RouteTelemetry(route);
        var options = RouteTo(server, route) with { MaxSessions = 1, Session = RouteTo(server).Session with { CommandTimeout = TimeSpan.FromSeconds(30) } };
        var mailer = Mailer.Create(Sys, new MailerOptions { Routes = [options], DrainTimeout = TimeSpan.Zero });
        var sends = Enumerable.Range(0, 5).Select(i => mailer.SendAsync(Mail($"r{i}@example.test"))).ToArray();
        // One message in the session's transaction, the two the route pulls beside it for that session, two still queued.
        await AwaitConditionAsync(
            () => Task.FromResult(server.CommandLog.Any(c => c == "DATA" || c.StartsWith("BDAT", StringComparison.Ordinal)) && telemetry.Sum("mailactors.queue.depth") == 2),
            TimeSpan.FromSeconds(10));

        await mailer.DisposeAsync();

        foreach (var send in sends)
        {
            await Assert.ThrowsAsync<MailSessionClosedException>(() => send.WaitAsync(TimeSpan.FromSeconds(5)));
        }
        Assert.Equal(5, telemetry.Started.Count);
        Assert.Equal(5, telemetry.Stopped.Count);
        Assert.All(telemetry.Stopped, s => Assert.Equal("aborted", s.GetTagItem("mailactors.outcome")));
        Assert.Equal(5, telemetry.Sum("mailactors.messages", ("outcome", "aborted")));
        Assert.Equal(5, telemetry.Sum("mailactors.recipients", ("outcome", "aborted")));
        Assert.Equal(0, telemetry.Sum("mailactors.queue.depth"));
    }
}
