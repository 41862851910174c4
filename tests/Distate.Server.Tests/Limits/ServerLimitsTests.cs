using Distate.Server.Configuration;

namespace Distate.Server.Tests.Limits;

/// <summary>
/// Proves the limits form one chain derived from --max-request-bytes: for any legal setting every layer below the door
/// admits what the door lets through plus its framing (log pages grow with the request limit, frames hold an append of
/// the largest entry, snapshots hold a full store), and a chain with one weak link is refused at startup by name.
/// </summary>
public sealed class ServerLimitsTests
{
    [Theory]
    [InlineData(1024)]
    [InlineData(1536 * 1024)]
    [InlineData(4 * 1024 * 1024 + 1)]
    [InlineData(ServerLimits.MaxRequestBytesCeiling)]
    public void Every_layer_admits_the_largest_legal_request(int maxRequestBytes)
    {
        var limits = ServerLimits.From(new ServerOptions { MaxRequestBytes = maxRequestBytes });

        Assert.Equal(maxRequestBytes, limits.MaxRequestBytes);
        Assert.True(limits.MaxHttpBodyBytes >= 2L * maxRequestBytes, "base64 in JSON spells R bytes in under 2R");
        Assert.True(limits.MaxEntryBytes >= maxRequestBytes + ServerLimits.EntryEnvelopeBytes);
        Assert.True(limits.Store.MaxValueBytes >= maxRequestBytes);
        Assert.True(limits.MaxAppendBytes >= limits.MaxEntryBytes);
        Assert.True(limits.MaxUncommittedBytes >= limits.MaxEntryBytes);
        Assert.True((1L << limits.LogPageSizeBits) > limits.MaxEntryBytes + 100, "one log page holds the largest entry record");
        Assert.True(limits.MaxFrameBytes > limits.MaxAppendBytes);
        Assert.True(limits.MaxSnapshotBytes >= limits.Store.QuotaBytes + ServerLimits.SnapshotFramingBytes);
    }

    [Fact]
    public void Defaults_match_etcd_and_keep_todays_log_page()
    {
        var limits = ServerLimits.From(new ServerOptions());

        Assert.Equal(1536 * 1024, limits.MaxRequestBytes);
        Assert.Equal(22, limits.LogPageSizeBits);
        Assert.True(limits.Store.QuotaBytes <= Array.MaxLength - ServerLimits.SnapshotFramingBytes, "a full store's snapshot fits one buffer");
        Assert.True(limits.Store.QuotaBytes > 2L * 1024 * 1024 * 1024 - (2 * ServerLimits.SnapshotFramingBytes), "the quota is etcd's 2 GiB less the snapshot framing");
    }

    [Fact]
    public void The_store_applies_with_the_ceilings_so_members_with_different_limits_decide_alike()
    {
        var small = ServerLimits.From(new ServerOptions { MaxRequestBytes = 4096 });
        var large = ServerLimits.From(new ServerOptions { MaxRequestBytes = 8 * 1024 * 1024 });

        Assert.Equal(small.Store.MaxValueBytes, large.Store.MaxValueBytes);
        Assert.Equal(small.Store.MaxKeyBytes, large.Store.MaxKeyBytes);
    }

    [Fact]
    public void A_weak_link_is_refused_by_name()
    {
        var limits = ServerLimits.From(new ServerOptions());

        var smallPage = Assert.Throws<ArgumentException>(() => (limits with { LogPageSizeBits = 20 }).Validate());
        Assert.Contains("log page", smallPage.Message, StringComparison.Ordinal);
        var smallFrame = Assert.Throws<ArgumentException>(() => (limits with { MaxFrameBytes = (int)limits.MaxAppendBytes }).Validate());
        Assert.Contains("frame", smallFrame.Message, StringComparison.Ordinal);
        var smallAppend = Assert.Throws<ArgumentException>(() => (limits with { MaxAppendBytes = 1024 }).Validate());
        Assert.Contains("append", smallAppend.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_limit_above_the_ceiling_is_refused_with_the_flag_name()
    {
        var error = Assert.Throws<ArgumentException>(() => ServerOptionsParser.Parse(["--max-request-bytes", "67108864"], _ => null));
        Assert.Contains("--max-request-bytes", error.Message, StringComparison.Ordinal);
    }
}
