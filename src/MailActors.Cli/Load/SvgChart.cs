using System.Globalization;
using System.Net;
using System.Text;

namespace MailActors.Cli.Load;

/// <summary>
/// Inline SVG charts for the HTML report, drawn here so the page needs no script library and renders offline: line
/// charts over time (linear or log scale) and grouped horizontal bars of latency percentiles per step.
/// </summary>
internal static class SvgChart
{
    private const int Width = 960;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 30;
    private const int Bottom = 40;

    /// <summary>One line of a chart.</summary>
    public sealed record Series(string Name, string Color, IReadOnlyList<double> Values, bool Fill = false);

    /// <summary>A line chart of values per second; a NaN value is a gap in its line.</summary>
    public static string Lines(string id, string title, string yLabel, IReadOnlyList<Series> series, bool logY, int height = 280)
    {
        var count = series.Count == 0 ? 0 : series.Max(s => s.Values.Count);
        var plotWidth = Width - Left - Right;
        var plotHeight = height - Top - Bottom;
        var all = series.SelectMany(s => s.Values).Where(v => !double.IsNaN(v)).ToList();
        var scale = logY ? LogScale(all, plotHeight) : LinearScale(all, plotHeight);
        var svg = Open(id, title, height);
        svg.Append(YAxis(scale, plotWidth, yLabel));
        // X axis: seconds.
        var xStep = NiceStep(Math.Max(1, count) / 10.0);
        double X(double second) => Left + (count <= 1 ? plotWidth / 2.0 : (second - 1) / (count - 1) * plotWidth);
        for (var s = 1.0; s <= Math.Max(1, count); s += xStep)
        {
            var x = X(s);
            svg.Append(Invariant($"<line class=\"grid\" x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Top + plotHeight}\"/>"));
            svg.Append(Invariant($"<text class=\"tick\" x=\"{x:0.#}\" y=\"{Top + plotHeight + 16}\" text-anchor=\"middle\">{s:0}</text>"));
        }
        svg.Append(Invariant($"<text class=\"axis-label\" x=\"{Left + plotWidth / 2}\" y=\"{height - 6}\" text-anchor=\"middle\">seconds</text>"));
        if (all.Count == 0)
        {
            svg.Append(Invariant($"<text class=\"empty\" x=\"{Left + plotWidth / 2}\" y=\"{Top + plotHeight / 2}\" text-anchor=\"middle\">no data</text>"));
        }
        foreach (var line in series)
        {
            // A NaN is a second without a value: the line breaks there rather than dropping to 0, which on a latency
            // chart would make a second in which nothing was answered look like the fastest one.
            foreach (var (first, last) in Runs(line.Values))
            {
                if (first == last)
                {
                    svg.Append(Invariant($"<circle class=\"series\" data-series=\"{Escape(line.Name)}\" cx=\"{X(first + 1):0.##}\" cy=\"{scale.Y(line.Values[first]):0.##}\" r=\"4\" fill=\"{line.Color}\"/>"));
                    continue;
                }
                var points = new StringBuilder();
                for (var i = first; i <= last; i++)
                {
                    points.Append(Invariant($"{X(i + 1):0.##},{scale.Y(line.Values[i]):0.##} "));
                }
                if (line.Fill)
                {
                    svg.Append(Invariant($"<polygon class=\"area\" fill=\"{line.Color}\" points=\"{X(first + 1):0.##},{Top + plotHeight} {points}{X(last + 1):0.##},{Top + plotHeight}\"/>"));
                }
                svg.Append(Invariant($"<polyline class=\"series\" data-series=\"{Escape(line.Name)}\" fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"2\" points=\"{points}\"/>"));
            }
            // Hover targets: one per point, with the value as a native tooltip.
            if (line.Values.Count <= 600)
            {
                for (var i = 0; i < line.Values.Count; i++)
                {
                    if (!double.IsNaN(line.Values[i]))
                    {
                        svg.Append(Invariant($"<circle class=\"hover\" cx=\"{X(i + 1):0.##}\" cy=\"{scale.Y(line.Values[i]):0.##}\" r=\"5\"><title>{Escape(line.Name)}, second {i + 1}: {line.Values[i]:0.###}</title></circle>"));
                    }
                }
            }
        }
        svg.Append(Legend(series.Select(s => (s.Name, s.Color)).ToList(), Left + 8, Top - 12));
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The index ranges (first, last, inclusive) of the runs of values that are not NaN.</summary>
    private static IEnumerable<(int First, int Last)> Runs(IReadOnlyList<double> values)
    {
        var start = -1;
        for (var i = 0; i <= values.Count; i++)
        {
            var present = i < values.Count && !double.IsNaN(values[i]);
            if (present && start < 0)
            {
                start = i;
            }
            else if (!present && start >= 0)
            {
                yield return (start, i - 1);
                start = -1;
            }
        }
    }

    /// <summary>Grouped horizontal bars: one group per step, one bar per percentile, on a log scale of milliseconds.</summary>
    public static string PercentileBars(string id, string title, IReadOnlyList<(string Step, IReadOnlyList<double> Values)> steps, IReadOnlyList<(string Name, string Color)> percentiles)
    {
        const int barHeight = 7;
        const int labelWidth = 150;
        var groupHeight = (barHeight * percentiles.Count) + 10;
        var height = Top + Bottom + Math.Max(1, steps.Count) * groupHeight;
        var plotWidth = Width - labelWidth - Right;
        var all = steps.SelectMany(s => s.Values).ToList();
        var scale = LogScale(all, plotWidth);
        double X(double value) => labelWidth + (scale.Fraction(value) * plotWidth);
        var svg = Open(id, title, height);
        foreach (var tick in scale.Ticks)
        {
            var x = X(tick);
            svg.Append(Invariant($"<line class=\"grid\" x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{height - Bottom}\"/>"));
            svg.Append(Invariant($"<text class=\"tick\" x=\"{x:0.#}\" y=\"{height - Bottom + 16}\" text-anchor=\"middle\">{FormatTick(tick)}</text>"));
        }
        svg.Append(Invariant($"<text class=\"axis-label\" x=\"{labelWidth + plotWidth / 2}\" y=\"{height - 6}\" text-anchor=\"middle\">milliseconds (log scale)</text>"));
        for (var g = 0; g < steps.Count; g++)
        {
            var (step, values) = steps[g];
            var y0 = Top + g * groupHeight + 5;
            svg.Append(Invariant($"<text class=\"step\" x=\"{labelWidth - 8}\" y=\"{y0 + groupHeight / 2.0:0.#}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Escape(step)}</text>"));
            for (var p = 0; p < percentiles.Count && p < values.Count; p++)
            {
                var width = Math.Max(1, X(values[p]) - labelWidth);
                svg.Append(Invariant($"<rect class=\"bar\" x=\"{labelWidth}\" y=\"{y0 + p * barHeight}\" width=\"{width:0.#}\" height=\"{barHeight - 1}\" fill=\"{percentiles[p].Color}\"><title>{Escape(step)} {Escape(percentiles[p].Name)}: {values[p]:0.###} ms</title></rect>"));
            }
        }
        svg.Append(Legend(percentiles, labelWidth + 8, Top - 12));
        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Open(string id, string title, int height) => new StringBuilder()
        .Append(Invariant($"<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{Escape(title)}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\">"))
        .Append(Invariant($"<title>{Escape(title)}</title>"))
        .Append(Invariant($"<rect class=\"frame\" x=\"0\" y=\"0\" width=\"{Width}\" height=\"{height}\"/>"));

    private static string Legend(IReadOnlyList<(string Name, string Color)> entries, int x, int y)
    {
        var svg = new StringBuilder();
        foreach (var (name, color) in entries)
        {
            svg.Append(Invariant($"<rect x=\"{x}\" y=\"{y - 9}\" width=\"12\" height=\"10\" fill=\"{color}\"/><text class=\"legend\" x=\"{x + 16}\" y=\"{y}\">{Escape(name)}</text>"));
            x += 24 + (name.Length * 7);
        }
        return svg.ToString();
    }

    private static string YAxis(Scale scale, int plotWidth, string label)
    {
        var svg = new StringBuilder();
        foreach (var tick in scale.Ticks)
        {
            var y = scale.Y(tick);
            svg.Append(Invariant($"<line class=\"grid\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotWidth}\" y2=\"{y:0.#}\"/>"));
            svg.Append(Invariant($"<text class=\"tick\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{FormatTick(tick)}</text>"));
        }
        svg.Append(Invariant($"<text class=\"axis-label\" transform=\"translate(14,{Top + 100}) rotate(-90)\" text-anchor=\"middle\">{Escape(label)}</text>"));
        return svg.ToString();
    }

    /// <summary>Maps a value to its fraction (0..1) of the axis, with the tick values to label.</summary>
    private sealed record Scale(Func<double, double> Fraction, IReadOnlyList<double> Ticks, int PlotHeight)
    {
        public double Y(double value) => Top + PlotHeight - (Fraction(value) * PlotHeight);
    }

    private static Scale LinearScale(IReadOnlyList<double> values, int plotHeight)
    {
        var max = values.Count == 0 ? 1 : Math.Max(1, values.Max());
        var step = NiceStep(max / 5);
        var top = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (var t = 0.0; t <= top + (step / 2); t += step)
        {
            ticks.Add(t);
        }
        return new Scale(v => Math.Clamp(v, 0, top) / top, ticks, plotHeight);
    }

    private static Scale LogScale(IReadOnlyList<double> values, int extent)
    {
        var positive = values.Where(v => v > 0).ToList();
        var low = positive.Count == 0 ? 0.01 : Math.Pow(10, Math.Floor(Math.Log10(positive.Min())));
        var high = positive.Count == 0 ? 10 : Math.Pow(10, Math.Ceiling(Math.Log10(positive.Max())));
        if (high <= low)
        {
            high = low * 10;
        }
        var ticks = new List<double>();
        for (var t = low; t <= high * 1.0001; t *= 10)
        {
            ticks.Add(t);
        }
        var span = Math.Log10(high) - Math.Log10(low);
        return new Scale(v => (Math.Log10(Math.Clamp(v, low, high)) - Math.Log10(low)) / span, ticks, extent);
    }

    private static double NiceStep(double rough)
    {
        if (rough <= 0)
        {
            return 1;
        }
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var normalized = rough / magnitude;
        return magnitude * (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10);
    }

    private static string FormatTick(double value) => value switch
    {
        >= 1_000_000 => Invariant($"{value / 1_000_000:0.#}M"),
        >= 10_000 => Invariant($"{value / 1000:0.#}k"),
        >= 1 => Invariant($"{value:0.##}"),
        _ => Invariant($"{value:0.###}"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
