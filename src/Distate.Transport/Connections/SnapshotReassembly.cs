using Distate.Raft;
using Distate.Transport.Codec;

namespace Distate.Transport.Connections;

/// <summary>
/// The one snapshot an inbound connection may be receiving: its envelope (every field but the data) and one buffer of
/// the announced total, allocated once after the total was checked against MaxSnapshotBytes and filled chunk by chunk,
/// in order. Any chunk that does not continue the snapshot exactly throws <see cref="TransportProtocolException"/>
/// (the connection is closed). Invariant: in progress, 0 &lt;= received &lt;= buffer length = announced total; otherwise
/// no buffer is held.
/// </summary>
internal sealed class SnapshotReassembly
{
    private readonly NodeId _sender;
    private readonly long _maxSnapshotBytes;
    private Message? _envelope;
    private byte[] _buffer = [];
    private ulong _id;
    private ulong _lastId;
    private int _received;

    /// <summary>Reassembles snapshots from <paramref name="sender"/> of at most <paramref name="maxSnapshotBytes"/> data bytes.</summary>
    public SnapshotReassembly(NodeId sender, long maxSnapshotBytes)
    {
        Invariant.Check(maxSnapshotBytes is > 0 and <= int.MaxValue, "MaxSnapshotBytes was validated to fit one byte[]");
        _sender = sender;
        _maxSnapshotBytes = maxSnapshotBytes;
    }

    /// <summary>True while a snapshot's first chunk has arrived and its last has not.</summary>
    public bool InProgress => _envelope is not null;

    /// <summary>Adds the next chunk; returns the whole Snapshot message when this chunk completes it, else null.</summary>
    public Message? Add(in SnapshotChunk chunk)
    {
        var header = chunk.Header;
        if (header.IsFirst)
        {
            Begin(header, chunk.Envelope!);
        }
        else
        {
            CheckContinues(header);
        }

        chunk.Data.Span.CopyTo(_buffer.AsSpan((int)header.Offset));
        _received += header.DataBytes;
        Invariant.Check(_received <= _buffer.Length, "a chunk never runs past the announced total");
        return _received == _buffer.Length ? Complete() : null;
    }

    /// <summary>Drops a partial snapshot and its buffer (the connection ended); returns what was lost, or null when nothing was in progress.</summary>
    public string? Abandon()
    {
        if (!InProgress)
        {
            return null;
        }

        var lost = $"snapshot {_id} incomplete ({_received} of {_buffer.Length} bytes)";
        _envelope = null;
        _buffer = [];
        _received = 0;
        return lost;
    }

    private void Begin(SnapshotChunkHeader header, Message envelope)
    {
        Invariant.Check(envelope is not null, "the codec decodes an envelope on every first chunk");
        if (InProgress)
        {
            throw Violation(header, $"starts while snapshot {_id} is at {_received} of {_buffer.Length} bytes; a sender streams one snapshot at a time");
        }

        if (header.SnapshotId <= _lastId)
        {
            throw Violation(header, $"does not follow snapshot {_lastId}: snapshot ids increase on a connection");
        }

        if (header.TotalBytes > _maxSnapshotBytes)
        {
            throw Violation(header, $"announces {header.TotalBytes} bytes, exceeding MaxSnapshotBytes = {_maxSnapshotBytes}; raise MaxSnapshotBytes on every node if snapshots are this large");
        }

        _envelope = envelope;
        _id = header.SnapshotId;
        _lastId = header.SnapshotId;
        _buffer = header.TotalBytes == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)header.TotalBytes);
        _received = 0;
    }

    private void CheckContinues(SnapshotChunkHeader header)
    {
        if (!InProgress)
        {
            throw Violation(header, $"chunk at offset {header.Offset} arrived with no snapshot in progress (its first chunk is missing)");
        }

        if (header.SnapshotId != _id)
        {
            throw Violation(header, $"chunk at offset {header.Offset} arrived while snapshot {_id} is in progress");
        }

        if (header.TotalBytes != _buffer.Length)
        {
            throw Violation(header, $"chunk at offset {header.Offset} announces {header.TotalBytes} bytes, but the first chunk announced {_buffer.Length}");
        }

        if (header.Offset != _received)
        {
            throw Violation(header, $"chunk at offset {header.Offset} arrived, expected offset {_received} (chunks come in order, without gaps)");
        }
    }

    /// <summary>Hands over the finished message (the node now owns the buffer) and forgets it.</summary>
    private Message Complete()
    {
        var envelope = _envelope!;
        var message = new Message
        {
            Type = envelope.Type, From = envelope.From, To = envelope.To, Term = envelope.Term, LogTerm = envelope.LogTerm,
            Index = envelope.Index, Commit = envelope.Commit, Reject = envelope.Reject, RejectHint = envelope.RejectHint,
            Context = envelope.Context, Entries = envelope.Entries, Snapshot = envelope.Snapshot! with { Data = _buffer },
        };
        _envelope = null;
        _buffer = [];
        _received = 0;
        Invariant.Check(!InProgress, "a completed snapshot leaves nothing in progress");
        return message;
    }

    private TransportProtocolException Violation(SnapshotChunkHeader header, string problem) =>
        new($"snapshot {header.SnapshotId} from node {_sender}: {problem}");
}
