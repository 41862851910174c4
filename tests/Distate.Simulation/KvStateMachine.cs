using System.Buffers.Binary;
using Distate.Raft;

namespace Distate.Simulation;

/// <summary>
/// The simulated application: registers keyed by a byte, each holding the id of the write that last set it and
/// that write's log index. Snapshots serialize the whole map.
/// </summary>
public sealed class KvStateMachine
{
    private readonly SortedDictionary<byte, (ulong OpId, LogIndex Index)> _values = [];

    /// <summary>The index of the last applied write or membership change (the driver skips empty entries).</summary>
    public LogIndex Applied { get; private set; }

    /// <summary>Encodes a write command.</summary>
    public static byte[] EncodeWrite(byte key, ulong opId)
    {
        var data = new byte[9];
        data[0] = key;
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(1), opId);
        return data;
    }

    /// <summary>Decodes a write command, or returns false for a no-op entry.</summary>
    public static bool TryDecodeWrite(ReadOnlyMemory<byte> data, out byte key, out ulong opId)
    {
        key = 0;
        opId = 0;
        if (data.Length != 9)
        {
            return false;
        }

        key = data.Span[0];
        opId = BinaryPrimitives.ReadUInt64LittleEndian(data.Span[1..]);
        return true;
    }

    /// <summary>Applies one committed write (the payload of a Test envelope).</summary>
    public void Apply(LogIndex index, ReadOnlyMemory<byte> payload)
    {
        Skip(index);
        Invariant.Check(TryDecodeWrite(payload, out var key, out var opId), $"a write of 9 bytes at {index}");
        _values[key] = (opId, index);
    }

    /// <summary>Records that an entry without a write (a membership change) was applied.</summary>
    public void Skip(LogIndex index)
    {
        Invariant.Check(index > Applied, $"entries apply in order, once: applied {Applied}, got {index}");
        Applied = index;
    }

    /// <summary>Reads a register: the write that set it and its index (0/0 if never written).</summary>
    public (ulong OpId, LogIndex Index) Read(byte key) => _values.GetValueOrDefault(key);

    /// <summary>Serializes the registers as of <paramref name="appliedIndex"/> (no write applied after it).</summary>
    public byte[] Serialize(LogIndex appliedIndex)
    {
        Invariant.Check(appliedIndex >= Applied, "a capture covers every applied write");
        var data = new byte[8 + (_values.Count * 17)];
        BinaryPrimitives.WriteUInt64LittleEndian(data, appliedIndex.Value);
        var offset = 8;
        foreach (var (key, (opId, index)) in _values)
        {
            data[offset] = key;
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(offset + 1), opId);
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(offset + 9), index.Value);
            offset += 17;
        }

        return data;
    }

    /// <summary>Replaces the registers with a snapshot's.</summary>
    public void Restore(Snapshot snapshot)
    {
        _values.Clear();
        Applied = snapshot.Metadata.Index;
        var data = snapshot.Data.Span;
        if (data.Length == 0)
        {
            return;
        }

        Invariant.Check(BinaryPrimitives.ReadUInt64LittleEndian(data) == snapshot.Metadata.Index.Value, "snapshot data matches its index");
        for (var offset = 8; offset < data.Length; offset += 17)
        {
            var opId = BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 1)..]);
            var index = new LogIndex(BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 9)..]));
            _values[data[offset]] = (opId, index);
        }
    }
}
