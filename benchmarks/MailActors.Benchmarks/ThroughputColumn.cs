using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MailActors.Benchmarks;

/// <summary>
/// Adds an "MB/s" column: the benchmark's <c>Size</c> parameter (bytes processed per operation) divided by the mean time.
/// Benchmarks without a <c>Size</c> parameter show "-".
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public const string SizeParameter = "Size";

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => 100;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Throughput: Size parameter bytes per mean operation time, in 10^6 bytes per second";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        var size = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == SizeParameter)?.Value;
        if (statistics is null || size is not int bytes || statistics.Mean <= 0)
        {
            return "-";
        }

        double megabytesPerSecond = bytes / (statistics.Mean / 1e9) / 1e6;
        return megabytesPerSecond.ToString("N1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

/// <summary>Default config plus the <see cref="ThroughputColumn"/>.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new ThroughputColumn());
    }
}
