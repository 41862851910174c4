using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Protocol;
using Distate.Transport.Tests.Support;

namespace Distate.Transport.Tests;

/// <summary>
/// Proves snapshots larger than a frame travel in chunks on real loopback sockets: a snapshot many times
/// MaxFrameBytes arrives byte for byte as one ordinary message and is counted; messages sent after it still arrive,
/// and are written between its chunks rather than after the whole transfer; a snapshot over MaxSnapshotBytes is refused
/// at send; a connection cut mid-transfer reports the snapshot failed, delivers nothing, and the next one goes through.
/// Settings are small (64 KiB frames, 16 KiB chunks) so a 1 MiB snapshot is 64 chunks. No test sleeps to synchronise.
/// </summary>
public sealed class SnapshotTransferTests
{
    private const int ChunkBytes = 16 * 1024;

    [Fact]
    public async Task Snapshot_many_times_MaxFrameBytes_arrives_intact_and_is_counted()
    {
        var reports = Channel.CreateUnbounded<(NodeId Peer, bool Ok)>();
        await using var one = Loopback.Start(1, adjust: Small);
        await using var two = Loopback.Start(2, adjust: Small);
        one.SnapshotSent += (peer, ok) => reports.Writer.TryWrite((peer, ok));
        Loopback.Connect(one, two);
        var snapshot = Samples.RandomSnapshot(1, 2, 1 << 20, seed: 1);

        Assert.True(one.TrySend(snapshot));

        Assert.Equal((new NodeId(2), true), await ReadAsync(reports));
        Samples.AssertEqual(snapshot, await Loopback.ReceiveAsync(two));
        var sent = one.GetStats().Peers[new NodeId(2)];
        var received = two.GetStats().Peers[new NodeId(1)];
        Assert.Equal((1L, 64L, 1L << 20), (sent.SnapshotsSent, sent.SnapshotChunksSent, sent.SnapshotBytesSent));
        Assert.Equal((1L, 64L, 1L << 20), (received.SnapshotsReceived, received.SnapshotChunksReceived, received.SnapshotBytesReceived));
        Assert.Equal(1, received.MessagesReceived);
        Assert.Equal(sent.BytesSent, received.BytesReceived);
        Assert.False(reports.Reader.TryRead(out _), "SnapshotSent fires once per snapshot");
    }

    [Fact]
    public async Task Messages_sent_after_a_snapshot_all_arrive_in_order()
    {
        const int heartbeats = 200;
        await using var one = Loopback.Start(1, adjust: Small);
        await using var two = Loopback.Start(2, adjust: Small);
        Loopback.Connect(one, two); // two already listens: the first connect succeeds, so nothing queued is dropped
        var snapshot = Samples.RandomSnapshot(1, 2, 1 << 20, seed: 2);

        Assert.True(one.TrySend(snapshot));
        for (var i = 0; i < heartbeats; i++)
        {
            Assert.True(one.TrySend(Samples.Heartbeat(1, 2, (ulong)i)));
        }

        var next = 0UL;
        var snapshots = 0;
        for (var i = 0; i <= heartbeats; i++)
        {
            var message = await Loopback.ReceiveAsync(two);
            if (message.Type == MessageType.Snapshot)
            {
                Samples.AssertEqual(snapshot, message);
                snapshots++;
                continue;
            }

            Assert.Equal(next++, message.Context);
        }

        Assert.Equal((1, (ulong)heartbeats), (snapshots, next));
    }

    [Fact]
    public async Task Heartbeats_queued_behind_a_snapshot_are_written_between_its_chunks()
    {
        // The receiver is a raw socket that reads nothing until every message is queued. The sender can have written at
        // most its socket buffer (tcp_wmem max, 4 MiB here) plus a 64 KiB receive window of the 16 MiB snapshot by then,
        // so without interleaving the heartbeats would have to follow the last chunk.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        listener.Bind(new IPEndPoint(Loopback.AddressOf(3), 0));
        listener.Listen();
        await using var one = Loopback.Start(1, adjust: Small);
        one.SetPeer(new NodeId(3), (IPEndPoint)listener.LocalEndPoint!);
        var snapshot = Samples.RandomSnapshot(1, 3, 16 << 20, seed: 3);

        Assert.True(one.TrySend(snapshot));
        for (var i = 0; i < 10; i++)
        {
            Assert.True(one.TrySend(Samples.Heartbeat(1, 3, (ulong)i)));
        }

        using var timeout = new CancellationTokenSource(Loopback.Deadline * 3);
        using var accepted = await listener.AcceptAsync(timeout.Token);
        var wire = await ReadWireAsync(accepted, snapshot.Snapshot!.Data.Length, heartbeats: 10, timeout.Token);

        Assert.True(wire.FirstHeartbeatFrame < wire.LastChunkFrame, $"first heartbeat at frame {wire.FirstHeartbeatFrame}, last chunk at {wire.LastChunkFrame}");
        Assert.True(snapshot.Snapshot.Data.Span.SequenceEqual(wire.Data), "the chunks carry the snapshot in order");
    }

    [Fact]
    public async Task Snapshot_over_MaxSnapshotBytes_is_refused_at_send_and_reported_failed()
    {
        var reported = new TaskCompletionSource<(NodeId, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var log = new RecordingLog();
        await using var one = Loopback.Start(1, log: log, adjust: s => Small(s) with { MaxSnapshotBytes = 64 * 1024 });
        await using var two = Loopback.Start(2, adjust: Small);
        one.SnapshotSent += (id, ok) => reported.TrySetResult((id, ok));
        Loopback.Connect(one, two);

        Assert.False(one.TrySend(Samples.Snapshot(1, 2, (64 * 1024) + 1)));

        Assert.Equal((new NodeId(2), false), await reported.Task.WaitAsync(Loopback.Deadline));
        Assert.Contains(log.Events, e => e.Level == TransportLogLevel.Error && e.Message.Contains("exceed MaxSnapshotBytes = 65536", StringComparison.Ordinal));
        Assert.Equal(1, one.GetStats().Peers[new NodeId(2)].MessagesDropped);
    }

    [Fact]
    public async Task Snapshot_with_empty_data_arrives_as_one_chunk()
    {
        await using var one = Loopback.Start(1, adjust: Small);
        await using var two = Loopback.Start(2, adjust: Small);
        Loopback.Connect(one, two);
        var snapshot = Samples.Snapshot(1, 2, 0);

        Assert.True(one.TrySend(snapshot));

        Samples.AssertEqual(snapshot, await Loopback.ReceiveAsync(two));
        Assert.Equal(1, two.GetStats().Peers[new NodeId(1)].SnapshotChunksReceived);
    }

    [Fact]
    public async Task Connection_cut_mid_snapshot_reports_failure_delivers_nothing_and_the_next_snapshot_works()
    {
        var reports = Channel.CreateUnbounded<bool>();
        using var log = new RecordingLog();
        await using var two = Loopback.Start(2, log: log, adjust: Small);
        await using var proxy = CuttingProxy.Start(two.ListenEndpoint!, framesBeforeCut: 4);
        await using var one = Loopback.Start(1, adjust: Small);
        one.SnapshotSent += (_, ok) => reports.Writer.TryWrite(ok);
        one.SetPeer(new NodeId(2), proxy.Endpoint);

        Assert.True(one.TrySend(Samples.RandomSnapshot(1, 2, 16 << 20, seed: 4)));

        Assert.False(await ReadAsync(reports));
        await proxy.Cut.WaitAsync(Loopback.Deadline);
        await log.WaitForAsync(TransportLogLevel.Warning, $"snapshot 1 incomplete ({4 * ChunkBytes} of {16 << 20} bytes)", Loopback.Deadline);
        Assert.False(two.Incoming.TryRead(out _));
        Assert.Equal(0, two.GetStats().ProtocolErrors);

        var next = Samples.RandomSnapshot(1, 2, 1 << 20, seed: 5);
        for (var attempt = 1; !await SentAsync(one, next, reports); attempt++)
        {
            Assert.True(attempt < 100, "the link never came back"); // queued sends are dropped while the link backs off
        }

        Samples.AssertEqual(next, await Loopback.ReceiveAsync(two));
    }

    private static TransportSettings Small(TransportSettings settings) => settings with
    {
        MaxFrameBytes = 64 * 1024, MaxBatchBytes = 16 * 1024, SnapshotChunkBytes = ChunkBytes, MaxSnapshotBytes = 32 << 20,
    };

    private static async Task<T> ReadAsync<T>(Channel<T> channel)
    {
        using var timeout = new CancellationTokenSource(Loopback.Deadline);
        return await channel.Reader.ReadAsync(timeout.Token);
    }

    private static async Task<bool> SentAsync(PeerTransport from, Message snapshot, Channel<bool> reports)
    {
        from.TrySend(snapshot);
        return await ReadAsync(reports);
    }

    /// <summary>Reads the handshake, then frames until the snapshot's last chunk and every heartbeat were seen, checking each chunk continues the last.</summary>
    private static async Task<(int FirstHeartbeatFrame, int LastChunkFrame, byte[] Data)> ReadWireAsync(Socket socket, int total, int heartbeats, CancellationToken token)
    {
        Assert.NotNull(await RawFrames.ReadFrameAsync(socket, token)); // handshake
        var data = new byte[total];
        var (frame, firstHeartbeat, lastChunk, received, seenHeartbeats) = (0, -1, -1, 0, 0);
        while (received < total || seenHeartbeats < heartbeats)
        {
            var payload = await RawFrames.ReadFrameAsync(socket, token) ?? throw new InvalidOperationException("the sender closed early");
            Assert.True(payload.Length <= 64 * 1024, $"frame {frame} of {payload.Length} bytes exceeds MaxFrameBytes");
            if (payload[0] == (byte)FrameKind.SnapshotChunk)
            {
                var chunk = SnapshotChunkCodec.Read(payload);
                Assert.Equal(received, chunk.Header.Offset);
                chunk.Data.Span.CopyTo(data.AsSpan(received));
                received += chunk.Header.DataBytes;
                lastChunk = chunk.Header.IsLast ? frame : lastChunk;
            }
            else
            {
                Assert.Equal(MessageType.Heartbeat, RaftMessageCodec.Read(payload.AsSpan(1)).Type);
                firstHeartbeat = seenHeartbeats++ == 0 ? frame : firstHeartbeat;
            }

            frame++;
        }

        return (firstHeartbeat, lastChunk, data);
    }
}
