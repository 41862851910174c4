using System.Globalization;

namespace Distate.Server.Compaction;

/// <summary>
/// The parsed --auto-compaction-mode and --auto-compaction-retention, read as etcd 3.4 reads them: in periodic mode the
/// retention is a Go duration ("5m", "1h30m", "10s") or a bare whole number of hours; in revision mode a revision count.
/// A retention of zero turns auto-compaction off.
/// </summary>
/// <param name="Mode">Periodic or revision.</param>
/// <param name="Period">The retention period (periodic mode; zero otherwise).</param>
/// <param name="Revisions">The revisions kept (revision mode; zero otherwise).</param>
public sealed record AutoCompactionPolicy(AutoCompactionMode Mode, TimeSpan Period, long Revisions)
{
    /// <summary>etcd checks a periodic retention every tenth of it (at most every 6 minutes).</summary>
    private const int ChecksPerPeriod = 10;

    /// <summary>etcd compacts at most hourly in periodic mode, however long the retention.</summary>
    private static readonly TimeSpan LongestCompactionInterval = TimeSpan.FromHours(1);

    /// <summary>How often revision mode looks at the current revision. etcd 3.4 looks every 5 minutes; Distate keeps its
    /// whole history in memory, so it looks every 5 seconds to bound what piles up between looks under heavy writes.</summary>
    public static readonly TimeSpan RevisionCheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>True when auto-compaction is off (retention 0).</summary>
    public bool IsOff => Period == TimeSpan.Zero && Revisions == 0;

    /// <summary>How often the compactor samples the revision and decides: a tenth of the period (capped at a tenth of an
    /// hour) in periodic mode, <see cref="RevisionCheckInterval"/> in revision mode.</summary>
    public TimeSpan CheckInterval => Mode == AutoCompactionMode.Periodic
        ? (Period < LongestCompactionInterval ? Period : LongestCompactionInterval) / ChecksPerPeriod
        : RevisionCheckInterval;

    /// <summary>Least time between two periodic compactions: the period, at most an hour (as etcd).</summary>
    public TimeSpan CompactionInterval => Period < LongestCompactionInterval ? Period : LongestCompactionInterval;

    /// <summary>Parses the two flags; throws <see cref="ArgumentException"/> naming the flag at fault.</summary>
    public static AutoCompactionPolicy Parse(string mode, string retention)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(retention);
        var text = retention.Trim();
        return mode.Trim().ToLowerInvariant() switch
        {
            "periodic" => new AutoCompactionPolicy(AutoCompactionMode.Periodic, ParsePeriod(text), 0),
            "revision" => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revisions)
                ? new AutoCompactionPolicy(AutoCompactionMode.Revision, TimeSpan.Zero, revisions)
                : throw new ArgumentException($"--auto-compaction-retention: '{retention}' is not a revision count (revision mode wants a whole number, e.g. 10000)"),
            _ => throw new ArgumentException($"--auto-compaction-mode: '{mode}' is neither 'periodic' nor 'revision'"),
        };
    }

    /// <summary>A Go duration ("1h30m", "10s", "1.5h", "500ms") or a bare whole number of hours, as etcd accepts.</summary>
    private static TimeSpan ParsePeriod(string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var hours))
        {
            return hours <= 24 * 365 ? TimeSpan.FromHours(hours) : throw BadPeriod(text);
        }

        var total = TimeSpan.Zero;
        var position = 0;
        while (position < text.Length)
        {
            var numberEnd = position;
            while (numberEnd < text.Length && (char.IsAsciiDigit(text[numberEnd]) || text[numberEnd] == '.'))
            {
                numberEnd++;
            }

            var unitEnd = numberEnd;
            while (unitEnd < text.Length && char.IsAsciiLetter(text[unitEnd]))
            {
                unitEnd++;
            }

            if (!double.TryParse(text[position..numberEnd], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                throw BadPeriod(text);
            }

            total += UnitOf(text[numberEnd..unitEnd], text) * amount;
            position = unitEnd;
        }

        return total >= TimeSpan.Zero && total <= TimeSpan.FromDays(365) && text.Length > 0 ? total : throw BadPeriod(text);
    }

    private static TimeSpan UnitOf(string unit, string text) => unit switch
    {
        "h" => TimeSpan.FromHours(1),
        "m" => TimeSpan.FromMinutes(1),
        "s" => TimeSpan.FromSeconds(1),
        "ms" => TimeSpan.FromMilliseconds(1),
        _ => throw BadPeriod(text),
    };

    private static ArgumentException BadPeriod(string text) => new(
        $"--auto-compaction-retention: '{text}' is not a duration (periodic mode wants e.g. 5m, 1h30m, 10s, or a whole number of hours; 0 turns auto-compaction off)");

    /// <summary>How the policy reads in logs and docs ("periodic 5m0s", "revision 1000", "off").</summary>
    public override string ToString() => IsOff ? "off"
        : Mode == AutoCompactionMode.Periodic ? $"periodic {Period}" : $"revision {Revisions}";
}
