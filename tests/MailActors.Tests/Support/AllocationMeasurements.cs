namespace MailActors.Tests.Support;

/// <summary>
/// Tests that measure the process's allocations around work done on other threads (actors, sockets) run alone, so
/// other tests' allocations cannot make them flaky.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    /// <summary>The collection's name, for <c>[Collection]</c>.</summary>
    public const string Name = "Allocation measurements";
}
