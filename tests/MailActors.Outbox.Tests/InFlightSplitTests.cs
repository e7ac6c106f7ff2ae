namespace MailActors.Outbox.Tests;

/// <summary>The in-flight window is one bound over all partitions: the shares add up to it, none is zero.</summary>
public class InFlightSplitTests
{
    [Theory]
    [InlineData(1000, 4, new[] { 250, 250, 250, 250 })]
    [InlineData(1000, 3, new[] { 334, 333, 333 })]
    [InlineData(10, 4, new[] { 3, 3, 2, 2 })]
    [InlineData(1, 1, new[] { 1 })]
    public void The_shares_add_up_to_the_configured_window(int inFlight, int partitions, int[] expected)
    {
        var shares = Outbox.SplitInFlight(inFlight, partitions);

        Assert.Equal(expected, shares);
        Assert.Equal(inFlight, shares.Sum());
    }

    [Fact]
    public void A_window_smaller_than_the_partition_count_still_gives_each_partition_one()
    {
        Assert.Equal([1, 1, 1, 1], Outbox.SplitInFlight(1, 4));
    }
}
