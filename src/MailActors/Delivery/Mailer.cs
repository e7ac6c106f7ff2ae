using System.Diagnostics;
using System.Threading.Channels;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams.Dsl;
using MailActors.Diagnostics;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;

namespace MailActors.Delivery;

/// <summary>The routes a <see cref="Mailer"/> sends through.</summary>
public sealed record MailerOptions
{
    /// <summary>
    /// The routes. Recipients go to the first route whose <see cref="RouteOptions.Domains"/> match, else to
    /// <see cref="DefaultRoute"/>; <see cref="RouteTable"/> says how a domain is read when a route has exact-addresses on.
    /// </summary>
    public required IReadOnlyList<RouteOptions> Routes { get; init; }

    /// <summary>The route for recipients no route claims; the first route when null.</summary>
    public string? DefaultRoute { get; init; }

    /// <summary>How long <see cref="Mailer.DisposeAsync"/> waits for admitted messages to finish.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Routes from <c>mailactors.routes</c> and the default from <c>mailactors.default-route</c>.</summary>
    public static MailerOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var names = config.HasPath("mailactors.routes") ? config.GetConfig("mailactors.routes").Root.GetObject().Unwrapped.Keys.ToArray() : [];
        if (names.Length == 0)
        {
            throw new ArgumentException("No routes are configured under mailactors.routes.", nameof(config));
        }
        return new MailerOptions
        {
            Routes = names.Select(name => RouteOptions.FromConfig(config, name)).ToArray(),
            DefaultRoute = config.GetString("mailactors.default-route", null),
        };
    }
}

/// <summary>
/// The delivery engine's entry point: <see cref="SendAsync"/> routes a message, waits while its route is saturated (a
/// bounded queue per route), and returns one outcome per recipient. Each route is a <see cref="RouteSupervisor"/>
/// with its own session pool, so a slow or dead destination never holds up another.
/// </summary>
public sealed class Mailer : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly MailerOptions _options;
    private readonly RouteTable _table;
    private readonly Dictionary<string, Route> _routes = new(StringComparer.OrdinalIgnoreCase);
    private long _outstanding;
    private readonly Action _released; // one delegate for every job, rather than a continuation task per message
    private TaskCompletionSource? _drained;
    private int _disposed;

    private sealed record Route(RouteOptions Options, Channel<DeliveryJob> Queue, IActorRef Supervisor);

    private Mailer(ActorSystem system, MailerOptions options)
    {
        _system = system;
        _options = options;
        _released = Released;
        // Checked before any route starts, so that a refused configuration leaves no actors behind.
        if (options.Routes.FirstOrDefault(r => !r.Session.SendHello) is { } silent)
        {
            // A pooled session goes from connect straight to transactions: without a hello it could never deliver.
            throw new ArgumentException($"Route '{silent.Name}': send-hello = off leaves its sessions unable to deliver; a route's sessions always greet the server.", nameof(options));
        }
        foreach (var route in options.Routes)
        {
            // Refused here, not at each session's greeting, where it would count as a connect failure and open the circuit.
            SmtpCommand.ValidateHelloDomain(route.Session.HelloDomain, $"routes.{route.Name}.smtp.hello");
        }
        _table = new RouteTable(options); // refuses no routes, a name used twice, an unknown default route
        foreach (var route in options.Routes)
        {
            var queue = Channel.CreateBounded<DeliveryJob>(new BoundedChannelOptions(Math.Max(1, route.QueueCapacity))
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
            });
            var supervisor = system.ActorOf(RouteSupervisor.Props(route, queue.Reader), "route-" + Uri.EscapeDataString(route.Name) + "-" + Guid.NewGuid().ToString("N")[..8]);
            _routes.Add(route.Name, new Route(route, queue, supervisor));
        }
    }

    /// <summary>Starts a mailer in <paramref name="system"/>.</summary>
    public static Mailer Create(ActorSystem system, MailerOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        return new Mailer(system, options);
    }

    /// <summary>The route supervisors by route name (for status queries: <see cref="RouteSupervisor.GetStatus"/>).</summary>
    public IReadOnlyDictionary<string, IActorRef> Routes => _routes.ToDictionary(r => r.Key, r => r.Value.Supervisor, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Sends a message: waits for room on its route(s) (the backpressure), then for every recipient's outcome.
    /// Refused recipients are outcomes, not exceptions. <paramref name="cancellationToken"/> cancels only the wait for
    /// room: once admitted, the message is delivered and the call waits for its outcome. (A message split over several
    /// routes is admitted route by route; a cancellation between two leaves the routes already admitted to deliver.)
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before the message was admitted.</exception>
    /// <exception cref="MailSessionClosedException">
    /// The route stopped (the Mailer is disposed past its drain, or the actor system ends) while it held the message;
    /// the message says whether a session had it, so the server may have it.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The Mailer is disposed.</exception>
    /// <exception cref="MailArgumentException">
    /// An address contains CR, LF or NUL or does not make a path for the route it goes to (checked with or without
    /// exact-addresses as that route sends it; see <see cref="RouteTable"/>), or a MAIL or RCPT parameter is refused:
    /// nothing was queued.
    /// </exception>
    /// <exception cref="ArgumentException">The named route does not exist.</exception>
    public async Task<DeliveryReport> SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var plan = _table.Plan(mail);
        plan.ValidateParameters();
        var jobs = new List<DeliveryJob>(plan.Groups.Count);
        var parent = Activity.Current;
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            var (options, recipients) = plan.Groups[g];
            var route = _routes[options.Name];
            var job = new DeliveryJob(mail, recipients, _released)
            {
                Activity = MailActorsTelemetry.ActivitySource.StartActivity("mailactors.deliver", ActivityKind.Client),
            };
            // StartActivity made the span current: the next route's span would become its child instead of its sibling.
            Activity.Current = parent;
            job.Activity?.SetTag("mailactors.message_id", mail.MessageId);
            job.Activity?.SetTag("mailactors.route", route.Options.Name);
            job.Activity?.SetTag("mailactors.recipients", recipients.Count);
            Interlocked.Increment(ref _outstanding);
            try
            {
                await route.Queue.Writer.WriteAsync(job, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                job.Activity?.Dispose();
                job.Fail(new OperationCanceledException("The message was not admitted."));
                throw;
            }
            MailActorsTelemetry.QueueDepth.Add(1, new KeyValuePair<string, object?>("route", route.Options.Name));
            jobs.Add(job);
        }
        if (jobs.Count == 1)
        {
            return await jobs[0].Completion.ConfigureAwait(false);
        }
        var reports = await Task.WhenAll(jobs.Select(j => j.Completion)).ConfigureAwait(false);
        return Merge(mail, reports);
    }

    /// <summary>
    /// An Akka.Streams flow: messages in, reports out, with the same backpressure as <see cref="SendAsync"/>
    /// (at most <paramref name="parallelism"/> messages in flight; the route queues push back beyond that).
    /// </summary>
    public Flow<OutgoingMail, DeliveryReport, NotUsed> Flow(int? parallelism = null, bool ordered = false)
    {
        var width = parallelism ?? Math.Min(4096, _options.Routes.Sum(r => r.MaxSessions + r.QueueCapacity));
        var flow = Akka.Streams.Dsl.Flow.Create<OutgoingMail>();
        return ordered ? flow.SelectAsync(width, m => SendAsync(m)) : flow.SelectAsyncUnordered(width, m => SendAsync(m));
    }

    /// <summary>A sink that sends every message and completes when the stream has been delivered.</summary>
    public Sink<OutgoingMail, Task<Done>> Sink(int? parallelism = null) =>
        Flow(parallelism).ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<DeliveryReport>(), Keep.Right);

    /// <summary>Stops admitting messages, waits (up to <see cref="MailerOptions.DrainTimeout"/>) for admitted ones, then stops the routes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _drained = drained;
        if (Interlocked.Read(ref _outstanding) == 0)
        {
            drained.TrySetResult();
        }
        foreach (var route in _routes.Values)
        {
            route.Queue.Writer.TryComplete();
        }
        await Task.WhenAny(drained.Task, Task.Delay(_options.DrainTimeout)).ConfigureAwait(false);
        foreach (var route in _routes.Values)
        {
            await route.Supervisor.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    private void Released()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _drained?.TrySetResult();
        }
    }

    private static DeliveryReport Merge(OutgoingMail mail, DeliveryReport[] reports)
    {
        // A recipient listed twice (or in two cases) is one outcome for both entries, not a duplicate key.
        var outcomes = new Dictionary<string, RecipientOutcome>(StringComparer.OrdinalIgnoreCase);
        foreach (var outcome in reports.SelectMany(r => r.Recipients))
        {
            outcomes.TryAdd(outcome.Address, outcome);
        }
        return new DeliveryReport(
            mail.MessageId,
            mail.Recipients.Select(a => outcomes[a] is var o && o.Address == a ? o : o with { Address = a }).ToArray(), // each entry as the caller wrote it
            reports.Sum(r => r.Attempts),
            reports.Max(r => r.Elapsed));
    }
}
