using System.Net;
using Distate.Raft;
using Distate.Transport.Codec;
using Distate.Transport.Protocol;

namespace Distate.Transport;

/// <summary>Identity and limits of one node's peer transport; every limit is a named setting checked by <see cref="Validate"/>.</summary>
public sealed record TransportSettings
{
    /// <summary>This node's id, sent in the handshake of every outgoing connection.</summary>
    public required NodeId LocalId { get; init; }

    /// <summary>Identifies the cluster; a peer presenting another id is refused, so two clusters never mix.</summary>
    public required ulong ClusterId { get; init; }

    /// <summary>The address peers use to reach this node; outgoing connections are bound to its IP so firewall rules by source address cut exactly the named link.</summary>
    public required IPEndPoint AdvertisedEndpoint { get; init; }

    /// <summary>Where this node accepts peer connections (port 0 picks a free port, see <see cref="PeerTransport.ListenEndpoint"/>).</summary>
    public required IPEndPoint ListenEndpoint { get; init; }

    /// <summary>Messages waiting to be written to one peer; beyond it <see cref="PeerTransport.TrySend"/> drops and returns false.</summary>
    public int MaxQueuedMessagesPerPeer { get; init; } = 4096;

    /// <summary>Received messages waiting for the node loop; when full, socket readers wait (backpressure on that peer only).</summary>
    public int MaxIncomingMessages { get; init; } = 4096;

    /// <summary>
    /// Bytes a message frame's payload adds to the encoded message: the frame kind (MaxFrameBytes bounds the payload,
    /// not the 4-byte length prefix in front of it).
    /// </summary>
    public const int MessageFramingBytes = Frame.KindBytes;

    /// <summary>Most bytes a snapshot chunk frame's payload holds besides its data (the first chunk also carries the message's other fields).</summary>
    public const int SnapshotChunkHeaderBytes = SnapshotChunkCodec.MaxHeaderBytes;

    /// <summary>Smallest accepted <see cref="MaxFrameBytes"/>.</summary>
    public const int MinFrameBytes = 1024;

    /// <summary>Largest accepted <see cref="MaxFrameBytes"/>: one frame never pins more memory than this, nor holds a connection longer than it takes to write.</summary>
    public const int MaxFrameBytesCeiling = 1 << 30;

    /// <summary>Largest frame payload in bytes (a message or one snapshot chunk), on send (refused and reported) and on receive (connection closed).</summary>
    public int MaxFrameBytes { get; init; } = 64 << 20;

    /// <summary>Largest snapshot data a Snapshot message may carry, on send (refused and reported) and on receive (connection closed before anything is allocated).</summary>
    public long MaxSnapshotBytes { get; init; } = Array.MaxLength;

    /// <summary>
    /// Snapshot data bytes per chunk frame. 1 MiB: a heartbeat queued behind a snapshot waits for at most one chunk
    /// (8 ms at 1 Gbit/s, 80 ms at 100 Mbit/s, under a 100 ms heartbeat interval); the per-chunk cost (a 41-byte
    /// header, a checksum, two socket writes) is lost in a megabyte; and a receiver's frame buffer stays at about a
    /// megabyte instead of MaxFrameBytes. It matches MaxBatchBytes, so no single write is much longer than another.
    /// </summary>
    public int SnapshotChunkBytes { get; init; } = 1 << 20;

    /// <summary>Frames gathered into one socket write; a single larger frame still goes alone.</summary>
    public int MaxBatchBytes { get; init; } = 1 << 20;

    /// <summary>Concurrent inbound connections accepted; more are closed at once.</summary>
    public int MaxInboundConnections { get; init; } = 64;

    /// <summary>First reconnect delay after a failed connection attempt (grows exponentially with jitter).</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest delay between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A connection that stayed up this long resets the reconnect backoff when it breaks.</summary>
    public TimeSpan StableConnectionTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for a TCP connect (a partition that drops SYNs would otherwise hang for minutes).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait for one batch to be written; a stuck peer's connection is then dropped and redialled.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for an inbound connection's handshake frame.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Require(LocalId.IsSome, nameof(LocalId), "must be non-zero");
        Require(ClusterId != 0, nameof(ClusterId), "must be non-zero (pick one id per cluster)");
        Require(AdvertisedEndpoint is not null, nameof(AdvertisedEndpoint), "must be set");
        Require(!AdvertisedEndpoint!.Address.Equals(IPAddress.Any) && !AdvertisedEndpoint.Address.Equals(IPAddress.IPv6Any),
            nameof(AdvertisedEndpoint), "must be a concrete address (outgoing connections bind to it), not 0.0.0.0 or ::");
        Require(ListenEndpoint is not null, nameof(ListenEndpoint), "must be set");
        Require(MaxQueuedMessagesPerPeer > 0, nameof(MaxQueuedMessagesPerPeer), "must be positive");
        Require(MaxIncomingMessages > 0, nameof(MaxIncomingMessages), "must be positive");
        Require(MaxFrameBytes is >= MinFrameBytes and <= MaxFrameBytesCeiling, nameof(MaxFrameBytes), "must be in [1 KiB, 1 GiB]");
        Require(MaxBatchBytes > 0 && MaxBatchBytes <= MaxFrameBytes, nameof(MaxBatchBytes), "must be positive and at most MaxFrameBytes");
        Require(MaxSnapshotBytes > 0 && MaxSnapshotBytes <= Array.MaxLength, nameof(MaxSnapshotBytes),
            $"must be positive and at most {Array.MaxLength} (Array.MaxLength: a received snapshot is reassembled in one byte[])");
        Require(SnapshotChunkBytes > 0 && SnapshotChunkBytes <= MaxFrameBytes - SnapshotChunkHeaderBytes, nameof(SnapshotChunkBytes),
            $"must be positive and at most MaxFrameBytes - {SnapshotChunkHeaderBytes} (a chunk and its header fit one frame)");
        Require(MaxInboundConnections > 0, nameof(MaxInboundConnections), "must be positive");
        Require(ReconnectBaseDelay > TimeSpan.Zero, nameof(ReconnectBaseDelay), "must be positive");
        Require(ReconnectMaxDelay >= ReconnectBaseDelay, nameof(ReconnectMaxDelay), "must be at least ReconnectBaseDelay");
        Require(StableConnectionTime > TimeSpan.Zero, nameof(StableConnectionTime), "must be positive");
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive");
        Require(WriteTimeout > TimeSpan.Zero, nameof(WriteTimeout), "must be positive");
        Require(HandshakeTimeout > TimeSpan.Zero, nameof(HandshakeTimeout), "must be positive");
    }

    /// <summary>
    /// The smallest <see cref="MaxFrameBytes"/> that carries every message Raft sends under the given budgets, for the
    /// server to derive its setting: an append of up to <paramref name="maxAppendBytes"/> as Raft counts them (entry
    /// data plus <see cref="Entry.HeaderBytes"/> each), or one entry of <paramref name="maxEntryBytes"/> data alone
    /// (Raft always sends at least one entry). With A = max(maxAppendBytes, maxEntryBytes + Entry.HeaderBytes), a
    /// message holds at most A / Entry.HeaderBytes entries, each encoded in at most its counted size plus
    /// (<see cref="RaftMessageCodec.MaxEntryOverheadBytes"/> - Entry.HeaderBytes), so the result is
    /// <c>MessageFramingBytes + RaftMessageCodec.MaxHeaderBytes + A + (A / Entry.HeaderBytes) * (MaxEntryOverheadBytes - Entry.HeaderBytes)</c>,
    /// at least <see cref="MinFrameBytes"/>. Snapshots travel in chunks and need nothing from it; MaxBatchBytes and
    /// SnapshotChunkBytes + SnapshotChunkHeaderBytes must also fit the frame size chosen. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for a negative budget or a result beyond <see cref="MaxFrameBytesCeiling"/>.
    /// </summary>
    public static int FrameBytesFor(long maxEntryBytes, long maxAppendBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEntryBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxAppendBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEntryBytes, MaxFrameBytesCeiling);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAppendBytes, MaxFrameBytesCeiling);
        var counted = Math.Max(maxAppendBytes, maxEntryBytes + Entry.HeaderBytes);
        var extraPerEntry = Math.Max(0, RaftMessageCodec.MaxEntryOverheadBytes - Entry.HeaderBytes);
        var frame = MessageFramingBytes + RaftMessageCodec.MaxHeaderBytes + counted + (counted / Entry.HeaderBytes * extraPerEntry);
        if (frame > MaxFrameBytesCeiling)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAppendBytes),
                $"messages under these budgets need {frame}-byte frames, beyond the {MaxFrameBytesCeiling}-byte ceiling of MaxFrameBytes; lower the Raft append budget or the largest entry");
        }

        return (int)Math.Max(frame, MinFrameBytes);
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Transport setting {name} {problem}.", name);
        }
    }
}
