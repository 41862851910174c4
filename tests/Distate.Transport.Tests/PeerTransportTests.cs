using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Distate.Raft;
using Distate.Transport.Protocol;
using Distate.Transport.Tests.Support;

namespace Distate.Transport.Tests;

/// <summary>
/// Proves the transport's contract on real loopback sockets: delivery and per-peer order, TrySend never waiting on a
/// dead peer, reconnect after a peer appears or restarts, size limits on both ends, cluster isolation, and outgoing
/// connections leaving from the advertised address. Every wait has a deadline; no test sleeps to synchronise.
/// </summary>
public sealed class PeerTransportTests
{
    [Fact]
    public async Task Two_transports_exchange_messages_with_every_field_intact()
    {
        await using var one = Loopback.Start(1);
        await using var two = Loopback.Start(2);
        Loopback.Connect(one, two);
        var request = Samples.Full(MessageType.Append, new NodeId(1), new NodeId(2));
        var reply = Samples.Full(MessageType.AppendResponse, new NodeId(2), new NodeId(1));

        Assert.True(one.TrySend(request));
        Samples.AssertEqual(request, await Loopback.ReceiveAsync(two));
        Assert.True(two.TrySend(reply));
        Samples.AssertEqual(reply, await Loopback.ReceiveAsync(one));
    }

    [Fact]
    public async Task Three_transports_deliver_between_every_pair()
    {
        await using var one = Loopback.Start(1);
        await using var two = Loopback.Start(2);
        await using var three = Loopback.Start(3);
        PeerTransport[] all = [one, two, three];
        Loopback.Connect(all);

        foreach (var from in all)
        {
            foreach (var to in all.Where(t => t != from))
            {
                Assert.True(from.TrySend(Samples.Heartbeat(from.Settings.LocalId.Value, to.Settings.LocalId.Value, 42)));
                var received = await Loopback.ReceiveAsync(to);
                Assert.Equal((from.Settings.LocalId, 42UL), (received.From, received.Context));
            }
        }
    }

    [Fact]
    public async Task Pipelined_messages_arrive_in_order_and_are_counted()
    {
        const int count = 5000;
        await using var one = Loopback.Start(1, adjust: s => s with { MaxQueuedMessagesPerPeer = count });
        await using var two = Loopback.Start(2);
        Loopback.Connect(one, two);

        for (var i = 1; i <= count; i++)
        {
            Assert.True(one.TrySend(Samples.Append(1, 2, (ulong)i, entries: 1, entryBytes: 128)));
        }

        for (var i = 1; i <= count; i++)
        {
            Assert.Equal(new LogIndex((ulong)i), (await Loopback.ReceiveAsync(two)).Index);
        }

        var received = two.GetStats().Peers[new NodeId(1)];
        Assert.Equal(count, received.MessagesReceived);
        Assert.Equal(0, one.GetStats().Peers[new NodeId(2)].MessagesDropped);
    }

    [Fact]
    public async Task Dead_peer_never_blocks_TrySend_and_drops_beyond_the_queue_bound()
    {
        const int queue = 16;
        const int attempts = 20_000;
        var unreachable = new TaskCompletionSource<NodeId>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var one = Loopback.Start(1, adjust: s => s with { MaxQueuedMessagesPerPeer = queue });
        one.PeerUnreachable += id => unreachable.TrySetResult(id);
        one.SetPeer(new NodeId(2), Loopback.FreeEndpoint(Loopback.AddressOf(2)));

        var clock = Stopwatch.StartNew();
        var accepted = 0;
        for (var i = 0; i < attempts; i++)
        {
            accepted += one.TrySend(Samples.Heartbeat(1, 2, (ulong)i)) ? 1 : 0;
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{attempts} TrySend calls took {clock.Elapsed}");
        Assert.InRange(accepted, queue, queue * 100); // at most a queue's worth per failed connect attempt
        Assert.Equal(new NodeId(2), await unreachable.Task.WaitAsync(Loopback.Deadline));
        Assert.True(one.GetStats().Peers[new NodeId(2)].MessagesDropped >= attempts - accepted);
    }

    [Fact]
    public async Task Peer_that_comes_up_later_receives_subsequent_messages()
    {
        var endpoint = Loopback.FreeEndpoint(Loopback.AddressOf(2));
        var unreachable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var one = Loopback.Start(1);
        one.PeerUnreachable += _ => unreachable.TrySetResult();
        one.SetPeer(new NodeId(2), endpoint);
        one.TrySend(Samples.Heartbeat(1, 2, 0));
        await unreachable.Task.WaitAsync(Loopback.Deadline);

        await using var two = Loopback.Start(2, port: endpoint.Port);
        await Loopback.SendUntilReceivedAsync(one, two);

        Assert.True(one.GetStats().Peers[new NodeId(2)].Connects >= 1);
    }

    [Fact]
    public async Task Peer_that_restarts_on_the_same_port_is_reconnected()
    {
        await using var one = Loopback.Start(1);
        var two = Loopback.Start(2);
        var port = two.ListenEndpoint!.Port;
        Loopback.Connect(one, two);
        await Loopback.SendUntilReceivedAsync(one, two);

        await two.DisposeAsync();
        await using var restarted = Loopback.Start(2, port: port);
        await Loopback.SendUntilReceivedAsync(one, restarted);

        Assert.True(one.GetStats().Peers[new NodeId(2)].Connects >= 2);
    }

    [Fact]
    public async Task Snapshot_is_reported_sent_once_written()
    {
        var reported = new TaskCompletionSource<(NodeId, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var one = Loopback.Start(1);
        await using var two = Loopback.Start(2);
        one.SnapshotSent += (id, ok) => reported.TrySetResult((id, ok));
        Loopback.Connect(one, two);

        Assert.True(one.TrySend(Samples.Snapshot(1, 2, 1 << 20)));

        Assert.Equal((new NodeId(2), true), await reported.Task.WaitAsync(Loopback.Deadline));
        Assert.Equal(1 << 20, (await Loopback.ReceiveAsync(two)).Snapshot!.Data.Length);
    }

    [Fact]
    public async Task Oversize_message_is_refused_on_send_and_counted()
    {
        using var log = new RecordingLog();
        await using var one = Loopback.Start(1, log: log, adjust: s => s with { MaxFrameBytes = 1024, MaxBatchBytes = 1024, SnapshotChunkBytes = 512 });
        one.SetPeer(new NodeId(2), Loopback.FreeEndpoint(Loopback.AddressOf(2)));

        Assert.False(one.TrySend(Samples.Append(1, 2, 1, entries: 1, entryBytes: 2000)));

        Assert.Contains(log.Events, e => e.Level == TransportLogLevel.Error && e.Message.Contains("MaxFrameBytes", StringComparison.Ordinal));
        Assert.Equal(1, one.GetStats().Peers[new NodeId(2)].MessagesDropped);
    }

    [Fact]
    public async Task Oversize_frame_on_receive_closes_the_connection_with_a_logged_error()
    {
        using var log = new RecordingLog();
        await using var two = Loopback.Start(2, log: log, adjust: s => s with { MaxFrameBytes = 1024, MaxBatchBytes = 1024, SnapshotChunkBytes = 512 });
        using var raw = await RawConnectAsync(two, new Handshake(Handshake.CurrentVersion, new NodeId(1), 7));

        await raw.SendAsync(new byte[] { 0, 0x10, 0, 0 }); // a 1 MiB length prefix

        await AssertClosedAsync(raw);
        await log.WaitForAsync(TransportLogLevel.Error, "exceeds MaxFrameBytes", Loopback.Deadline);
        Assert.Equal(1, two.GetStats().ProtocolErrors);
    }

    [Fact]
    public async Task Wrong_cluster_id_is_rejected_with_a_logged_reason()
    {
        using var log = new RecordingLog();
        await using var one = Loopback.Start(1, clusterId: 7);
        await using var two = Loopback.Start(2, clusterId: 8, log: log);
        Loopback.Connect(one, two);

        one.TrySend(Samples.Heartbeat(1, 2, 1));

        var reason = await log.WaitForAsync(TransportLogLevel.Error, "belongs to cluster", Loopback.Deadline);
        Assert.Contains("0000000000000007", reason, StringComparison.Ordinal);
        Assert.False(two.Incoming.TryRead(out _));
    }

    [Fact]
    public async Task Wrong_protocol_version_is_rejected_with_a_logged_reason()
    {
        using var log = new RecordingLog();
        await using var two = Loopback.Start(2, log: log);
        using var raw = await RawConnectAsync(two, new Handshake(99, new NodeId(1), 7));

        await AssertClosedAsync(raw);
        await log.WaitForAsync(TransportLogLevel.Error, "protocol version 99", Loopback.Deadline);
    }

    [Fact]
    public async Task Peer_speaking_the_previous_protocol_version_is_refused_with_a_logged_reason()
    {
        using var log = new RecordingLog();
        await using var two = Loopback.Start(2, log: log);
        using var raw = await RawConnectAsync(two, new Handshake(1, new NodeId(1), 7));

        await AssertClosedAsync(raw);
        var reason = await log.WaitForAsync(TransportLogLevel.Error, "protocol version 1,", Loopback.Deadline);
        Assert.Contains($"this node speaks {Handshake.CurrentVersion}", reason, StringComparison.Ordinal);
        Assert.Equal(2, Handshake.CurrentVersion);
        Assert.Equal(1, two.GetStats().ProtocolErrors);
    }

    [Fact]
    public async Task Outgoing_connections_leave_from_the_advertised_address()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(Loopback.AddressOf(3), 0));
        listener.Listen();
        await using var two = Loopback.Start(2);
        two.SetPeer(new NodeId(3), (IPEndPoint)listener.LocalEndPoint!);

        Assert.True(two.TrySend(Samples.Heartbeat(2, 3, 1)));
        using var timeout = new CancellationTokenSource(Loopback.Deadline);
        using var accepted = await listener.AcceptAsync(timeout.Token);

        Assert.Equal(Loopback.AddressOf(2), ((IPEndPoint)accepted.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task Receiver_sees_the_senders_advertised_address()
    {
        using var log = new RecordingLog();
        await using var one = Loopback.Start(1);
        await using var two = Loopback.Start(2, log: log);
        Loopback.Connect(one, two);

        await Loopback.SendUntilReceivedAsync(one, two);

        await log.WaitForAsync(TransportLogLevel.Debug, "accepted connection from node 1 at 127.0.0.1:", Loopback.Deadline);
    }

    [Fact]
    public async Task Removed_peer_is_refused_and_disposal_completes_incoming()
    {
        var one = Loopback.Start(1);
        await using var two = Loopback.Start(2);
        Loopback.Connect(one, two);
        await Loopback.SendUntilReceivedAsync(one, two);

        one.RemovePeer(new NodeId(2));
        Assert.False(one.TrySend(Samples.Heartbeat(1, 2, 1)));

        await one.DisposeAsync();
        using var timeout = new CancellationTokenSource(Loopback.Deadline);
        Assert.False(await one.Incoming.WaitToReadAsync(timeout.Token));
    }

    private static Task<Socket> RawConnectAsync(PeerTransport target, Handshake handshake) => RawFrames.ConnectAsync(target, handshake);

    private static Task AssertClosedAsync(Socket socket) => RawFrames.AssertClosedAsync(socket);
}
