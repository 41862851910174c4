using Distate.Raft;
using Distate.Transport.Protocol;
using Distate.Transport.Tests.Support;

namespace Distate.Transport.Tests;

/// <summary>
/// Proves a receiver refuses every malformed chunk sequence a raw socket can send it — chunks out of order or without
/// a first chunk, a total that changes, an announced total over MaxSnapshotBytes, a chunk frame over MaxFrameBytes, a
/// second snapshot interleaved, a repeated id, corrupted data, a whole Snapshot in a message frame — by closing the
/// connection, counting a protocol error and logging what was wrong, without delivering a partial snapshot.
/// </summary>
public sealed class SnapshotProtocolErrorTests
{
    private const int Total = 64 * 1024;
    private const int Chunk = 16 * 1024;

    private static readonly Message Snapshot = Samples.RandomSnapshot(1, 2, Total, seed: 9);

    [Theory]
    [InlineData("continuation first", "chunk at offset 16384 arrived with no snapshot in progress")]
    [InlineData("gap", "chunk at offset 32768 arrived, expected offset 16384")]
    [InlineData("total changes", "chunk at offset 16384 announces 131072 bytes, but the first chunk announced 65536")]
    [InlineData("announced total over MaxSnapshotBytes", "announces 2097152 bytes, exceeding MaxSnapshotBytes = 1048576")]
    [InlineData("chunk over MaxFrameBytes", "exceeds MaxFrameBytes = 65536")]
    [InlineData("other id mid-snapshot", "snapshot 2 from node 1: chunk at offset 16384 arrived while snapshot 1 is in progress")]
    [InlineData("second first chunk mid-snapshot", "snapshot 2 from node 1: starts while snapshot 1 is at 16384 of 65536 bytes")]
    [InlineData("corrupted data", "snapshot chunk checksum mismatch")]
    [InlineData("whole snapshot in a message frame", "carries snapshots only as chunk frames")]
    [InlineData("misaddressed envelope", "message 1->3 arrived on the connection from node 1 to node 2")]
    [InlineData("empty frame", "empty frame: every frame after the handshake opens with a frame kind")]
    [InlineData("unknown frame kind", "unknown frame kind 9 from node 1")]
    public async Task Malformed_chunk_sequence_closes_the_connection_and_is_counted(string sequence, string expected)
    {
        using var log = new RecordingLog();
        await using var two = Loopback.Start(2, log: log, adjust: s => s with
        {
            MaxFrameBytes = 64 * 1024, MaxBatchBytes = 16 * 1024, SnapshotChunkBytes = Chunk, MaxSnapshotBytes = 1 << 20,
        });
        using var raw = await RawFrames.ConnectAsync(two, new Handshake(Handshake.CurrentVersion, new NodeId(1), 7));

        await RawFrames.SendTolerantAsync(raw, [.. Frames(sequence).SelectMany(frame => frame)]);

        await RawFrames.AssertClosedAsync(raw);
        var reason = await log.WaitForAsync(TransportLogLevel.Error, expected, Loopback.Deadline);
        Assert.StartsWith("closing peer connection from", reason, StringComparison.Ordinal);
        Assert.Equal(1, two.GetStats().ProtocolErrors);
        Assert.False(two.Incoming.TryRead(out _), "nothing is delivered from a broken sequence");
    }

    [Fact]
    public async Task Repeated_snapshot_id_is_refused_after_a_complete_snapshot()
    {
        using var log = new RecordingLog();
        await using var two = Loopback.Start(2, log: log);
        using var raw = await RawFrames.ConnectAsync(two, new Handshake(Handshake.CurrentVersion, new NodeId(1), 7));
        var small = Samples.Snapshot(1, 2, 10);

        await RawFrames.SendTolerantAsync(raw, [.. RawFrames.Chunk(5, 0, 10, small, new byte[10]), .. RawFrames.Chunk(5, 0, 10, small, new byte[10])]);

        Assert.Equal(MessageType.Snapshot, (await Loopback.ReceiveAsync(two)).Type);
        await RawFrames.AssertClosedAsync(raw);
        await log.WaitForAsync(TransportLogLevel.Error, "snapshot 5 from node 1: does not follow snapshot 5", Loopback.Deadline);
        Assert.Equal(1, two.GetStats().ProtocolErrors);
    }

    private static IEnumerable<byte[]> Frames(string sequence)
    {
        var data = Snapshot.Snapshot!.Data.Span;
        var first = RawFrames.Chunk(1, 0, Total, Snapshot, data[..Chunk]);
        switch (sequence)
        {
            case "continuation first":
                return [RawFrames.Chunk(1, Chunk, Total, null, data[Chunk..(2 * Chunk)])];
            case "gap":
                return [first, RawFrames.Chunk(1, 2 * Chunk, Total, null, data[(2 * Chunk)..(3 * Chunk)])];
            case "total changes":
                return [first, RawFrames.Chunk(1, Chunk, 2 * Total, null, data[Chunk..(2 * Chunk)])];
            case "announced total over MaxSnapshotBytes":
                return [RawFrames.Chunk(1, 0, 2 << 20, Snapshot, data[..Chunk])];
            case "chunk over MaxFrameBytes":
                return [first, RawFrames.Chunk(1, Chunk, 4 * Total, null, new byte[Total])];
            case "other id mid-snapshot":
                return [first, RawFrames.Chunk(2, Chunk, Total, null, data[Chunk..(2 * Chunk)])];
            case "second first chunk mid-snapshot":
                return [first, RawFrames.Chunk(2, 0, Total, Snapshot, data[..Chunk])];
            case "corrupted data":
                var corrupted = RawFrames.Chunk(1, Chunk, Total, null, data[Chunk..(2 * Chunk)]);
                corrupted[^1] ^= 0xFF;
                return [first, corrupted];
            case "whole snapshot in a message frame":
                return [RawFrames.Message(Samples.Snapshot(1, 2, 100))];
            case "misaddressed envelope":
                return [RawFrames.Chunk(1, 0, Total, Samples.RandomSnapshot(1, 3, Total, seed: 9), data[..Chunk])];
            case "empty frame":
                return [[0, 0, 0, 0]];
            case "unknown frame kind":
                return [[0, 0, 0, 1, 9]];
            default:
                throw new ArgumentException($"unknown sequence {sequence}", nameof(sequence));
        }
    }
}
