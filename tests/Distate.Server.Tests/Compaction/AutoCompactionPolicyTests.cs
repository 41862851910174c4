using Distate.Server.Compaction;
using Distate.Server.Configuration;

namespace Distate.Server.Tests.Compaction;

/// <summary>Proves --auto-compaction-mode/-retention and --quota-backend-bytes are read as etcd 3.4 reads them (a Go
/// duration or bare hours in periodic mode, a revision count in revision mode, 0 = off), with the check cadence etcd
/// uses, and that mistakes are refused naming the flag.</summary>
public sealed class AutoCompactionPolicyTests
{
    private static ServerOptions Parse(params string[] args) => ServerOptionsParser.Parse(args, _ => null);

    [Fact]
    public void The_default_keeps_five_minutes_checked_every_thirty_seconds()
    {
        var policy = Parse().AutoCompaction;
        Assert.Equal(new AutoCompactionPolicy(AutoCompactionMode.Periodic, TimeSpan.FromMinutes(5), 0), policy);
        Assert.Equal(TimeSpan.FromSeconds(30), policy.CheckInterval);
        Assert.False(policy.IsOff);
    }

    [Theory]
    [InlineData("10s", 10)]
    [InlineData("1h30m", 5400)]
    [InlineData("2", 7200)]
    [InlineData("1.5h", 5400)]
    [InlineData("500ms", 0.5)]
    public void Periodic_retention_is_a_go_duration_or_bare_hours(string retention, double seconds)
    {
        var policy = Parse("--auto-compaction-retention", retention).AutoCompaction;
        Assert.Equal(TimeSpan.FromSeconds(seconds), policy.Period);
    }

    [Fact]
    public void Long_periods_check_every_six_minutes_and_compact_hourly_as_etcd()
    {
        var policy = Parse("--auto-compaction-retention=72h").AutoCompaction;
        Assert.Equal(TimeSpan.FromMinutes(6), policy.CheckInterval);
        Assert.Equal(TimeSpan.FromHours(1), policy.CompactionInterval);
    }

    [Fact]
    public void Revision_mode_counts_revisions_and_zero_turns_it_off()
    {
        var revision = Parse("--auto-compaction-mode", "revision", "--auto-compaction-retention", "1000").AutoCompaction;
        Assert.Equal(1000, revision.Revisions);
        Assert.Equal(AutoCompactionMode.Revision, revision.Mode);
        Assert.True(Parse("--auto-compaction-retention", "0").AutoCompaction.IsOff);
        Assert.True(Parse("--auto-compaction-mode", "revision", "--auto-compaction-retention", "0").AutoCompaction.IsOff);
    }

    [Theory]
    [InlineData("periodic", "5 minutes", "--auto-compaction-retention")]
    [InlineData("periodic", "5x", "--auto-compaction-retention")]
    [InlineData("revision", "5m", "--auto-compaction-retention")]
    [InlineData("hourly", "1", "--auto-compaction-mode")]
    public void Mistakes_name_the_flag(string mode, string retention, string flag)
    {
        var error = Assert.Throws<ArgumentException>(() => Parse("--auto-compaction-mode", mode, "--auto-compaction-retention", retention));
        Assert.StartsWith(flag, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_quota_flag_is_read_listed_in_the_usage_and_bounded()
    {
        Assert.Equal(4L * 1024 * 1024, Parse("--quota-backend-bytes", "4194304").QuotaBackendBytes);
        Assert.Equal(2L * 1024 * 1024 * 1024, Parse().QuotaBackendBytes);
        Assert.Contains("--quota-backend-bytes", ServerOptionsParser.Usage(), StringComparison.Ordinal);
        Assert.Contains("--auto-compaction-retention", ServerOptionsParser.Usage(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Parse("--quota-backend-bytes", "1000"));
    }
}
