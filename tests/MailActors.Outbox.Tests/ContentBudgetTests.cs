namespace MailActors.Outbox.Tests;

/// <summary>The outbox's memory bound: reservations wait in order and are served as partitions report room.</summary>
public class ContentBudgetTests
{
    [Fact]
    public async Task A_reservation_that_fits_is_served_at_once_and_one_that_does_not_waits_for_room()
    {
        var budget = new ContentBudget(limit: 1000, partitions: 2);
        await budget.ReserveAsync(600, CancellationToken.None);
        budget.Report(0, 600); // the partition accepted them ...
        budget.Unreserve(600); // ... and the enqueue gave its reservation back

        var waiting = budget.ReserveAsync(500, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        budget.Report(1, 0);
        Assert.False(waiting.IsCompleted); // another partition's news does not free partition 0's bytes
        budget.Report(0, 400);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(900, budget.InUse);
    }

    [Fact]
    public async Task Waiting_reservations_are_served_in_arrival_order_even_when_a_later_one_would_fit()
    {
        var budget = new ContentBudget(limit: 1000, partitions: 1);
        budget.Report(0, 900);
        var large = budget.ReserveAsync(500, CancellationToken.None);
        var small = budget.ReserveAsync(50, CancellationToken.None);
        Assert.False(small.IsCompleted); // it would fit, but the large one came first

        budget.Report(0, 450);
        await large.WaitAsync(TimeSpan.FromSeconds(5));
        await small.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1000, budget.InUse);
    }

    [Fact]
    public async Task A_reservation_larger_than_the_limit_is_served_once_less_than_the_limit_is_in_use()
    {
        var budget = new ContentBudget(limit: 100, partitions: 1);
        budget.Report(0, 100);
        var huge = budget.ReserveAsync(5000, CancellationToken.None);
        Assert.False(huge.IsCompleted);
        budget.Report(0, 60); // some room, though far from 5,000: waiting for an empty outbox could take an outage's length
        await huge.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(5060, budget.InUse);
        Assert.False(budget.ReserveAsync(1, CancellationToken.None).IsCompleted); // and nothing more until it is back under
    }

    [Fact]
    public async Task A_cancelled_wait_reserves_nothing_and_lets_the_next_in_line_go()
    {
        var budget = new ContentBudget(limit: 1000, partitions: 1);
        budget.Report(0, 800);
        using var cancel = new CancellationTokenSource();
        var cancelled = budget.ReserveAsync(900, cancel.Token);
        var next = budget.ReserveAsync(150, CancellationToken.None);
        Assert.False(next.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(950, budget.InUse);
    }

    [Fact]
    public async Task Closing_fails_the_waiting_reservations_and_refuses_new_ones()
    {
        var budget = new ContentBudget(limit: 100, partitions: 1);
        budget.Report(0, 100);
        var waiting = budget.ReserveAsync(10, CancellationToken.None);
        budget.Close();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        Assert.Throws<ObjectDisposedException>(() => { _ = budget.ReserveAsync(1, CancellationToken.None); });
    }
}
