using System.Net;
using Distate.Raft;

namespace Distate.Transport.Tests;

/// <summary>
/// Proves bad settings are refused at startup with the name of the setting to fix, and that the frame size
/// <see cref="TransportSettings.FrameBytesFor"/> derives holds the worst-case append message Raft can build under
/// the given budgets (every varint at its longest) without being wildly larger.
/// </summary>
public sealed class TransportSettingsTests
{
    private static readonly TransportSettings Valid = new()
    {
        LocalId = new NodeId(1),
        ClusterId = 7,
        AdvertisedEndpoint = new IPEndPoint(IPAddress.Loopback, 2380),
        ListenEndpoint = new IPEndPoint(IPAddress.Any, 2380),
    };

    [Fact]
    public void Defaults_are_valid() => Valid.Validate();

    [Fact]
    public void Each_bad_setting_is_named()
    {
        AssertNamed(Valid with { LocalId = NodeId.None }, "LocalId");
        AssertNamed(Valid with { ClusterId = 0 }, "ClusterId");
        AssertNamed(Valid with { AdvertisedEndpoint = new IPEndPoint(IPAddress.Any, 1) }, "AdvertisedEndpoint");
        AssertNamed(Valid with { MaxQueuedMessagesPerPeer = 0 }, "MaxQueuedMessagesPerPeer");
        AssertNamed(Valid with { MaxIncomingMessages = -1 }, "MaxIncomingMessages");
        AssertNamed(Valid with { MaxFrameBytes = 10 }, "MaxFrameBytes");
        AssertNamed(Valid with { MaxBatchBytes = Valid.MaxFrameBytes + 1 }, "MaxBatchBytes");
        AssertNamed(Valid with { MaxSnapshotBytes = 0 }, "MaxSnapshotBytes");
        AssertNamed(Valid with { MaxSnapshotBytes = Array.MaxLength + 1L }, "MaxSnapshotBytes");
        AssertNamed(Valid with { SnapshotChunkBytes = 0 }, "SnapshotChunkBytes");
        AssertNamed(Valid with { MaxFrameBytes = 64 * 1024, MaxBatchBytes = 1024, SnapshotChunkBytes = (64 * 1024) - TransportSettings.SnapshotChunkHeaderBytes + 1 }, "SnapshotChunkBytes");
        AssertNamed(Valid with { MaxInboundConnections = 0 }, "MaxInboundConnections");
        AssertNamed(Valid with { ReconnectBaseDelay = TimeSpan.Zero }, "ReconnectBaseDelay");
        AssertNamed(Valid with { ReconnectMaxDelay = TimeSpan.FromMilliseconds(1) }, "ReconnectMaxDelay");
        AssertNamed(Valid with { ConnectTimeout = TimeSpan.Zero }, "ConnectTimeout");
        AssertNamed(Valid with { WriteTimeout = TimeSpan.Zero }, "WriteTimeout");
        AssertNamed(Valid with { HandshakeTimeout = TimeSpan.Zero }, "HandshakeTimeout");
        AssertNamed(Valid with { StableConnectionTime = TimeSpan.Zero }, "StableConnectionTime");
    }

    [Fact]
    public void Largest_chunk_the_settings_allow_fits_one_frame()
    {
        var settings = Valid with { MaxFrameBytes = 64 * 1024, MaxBatchBytes = 1024, SnapshotChunkBytes = (64 * 1024) - TransportSettings.SnapshotChunkHeaderBytes };

        settings.Validate();
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1024, 1024 * 1024)]          // many small entries fill the append budget
    [InlineData(32 * 1024 * 1024, 1024 * 1024)] // one entry larger than the budget goes alone
    [InlineData(100, 4096)]
    public void Frame_size_for_the_budgets_holds_the_worst_case_append(int maxEntryBytes, int maxAppendBytes)
    {
        var frameBytes = TransportSettings.FrameBytesFor(maxEntryBytes, maxAppendBytes);

        var manySmall = WorstCaseAppend(entryBytes: 0, count: Math.Max(1, maxAppendBytes / Entry.HeaderBytes));
        var oneLarge = WorstCaseAppend(entryBytes: maxEntryBytes, count: 1);
        var largest = Math.Max(Transport.Codec.RaftMessageCodec.Measure(manySmall), Transport.Codec.RaftMessageCodec.Measure(oneLarge)) + TransportSettings.MessageFramingBytes;
        Assert.True(largest <= frameBytes, $"a {largest}-byte message frame does not fit {frameBytes}");
        Assert.True(frameBytes <= Math.Max(TransportSettings.MinFrameBytes, largest * 1.25), $"{frameBytes} is far above the {largest} needed");
        (Valid with { MaxFrameBytes = frameBytes, MaxBatchBytes = 1024, SnapshotChunkBytes = 512 }).Validate();
    }

    [Fact]
    public void Frame_size_beyond_the_ceiling_or_negative_budgets_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TransportSettings.FrameBytesFor(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TransportSettings.FrameBytesFor(0, TransportSettings.MaxFrameBytesCeiling));
    }

    /// <summary>An append whose header fields and entry indexes and terms all take ten-byte varints.</summary>
    private static Message WorstCaseAppend(int entryBytes, int count)
    {
        var entries = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = new Entry(new LogIndex(ulong.MaxValue - (ulong)i), new Term(ulong.MaxValue), EntryType.Normal, new byte[entryBytes]);
        }

        return new Message
        {
            Type = MessageType.Append, From = new NodeId(ulong.MaxValue), To = new NodeId(ulong.MaxValue), Term = new Term(ulong.MaxValue),
            LogTerm = new Term(ulong.MaxValue), Index = new LogIndex(ulong.MaxValue), Commit = new LogIndex(ulong.MaxValue),
            RejectHint = new LogIndex(ulong.MaxValue), Context = ulong.MaxValue, Reject = true, Entries = entries,
        };
    }

    private static void AssertNamed(TransportSettings settings, string name)
    {
        var exception = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
    }
}
