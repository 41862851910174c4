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

    /// <summary>The index of the last applied entry.</summary>
    public LogIndex Applied { get; private set; }

    /// <summary>Membership as of <see cref="Applied"/>, stored with snapshots.</summary>
    public ConfState ConfState { get; set; } = ConfState.Empty;

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

    /// <summary>Applies one committed normal entry.</summary>
    public void Apply(Entry entry)
    {
        Invariant.Check(entry.Index == Applied.Next, $"entries apply in order: applied {Applied}, got {entry.Index}");
        if (entry.Type == EntryType.Normal && TryDecodeWrite(entry.Data, out var key, out var opId))
        {
            _values[key] = (opId, entry.Index);
        }

        Applied = entry.Index;
    }

    /// <summary>Reads a register: the write that set it and its index (0/0 if never written).</summary>
    public (ulong OpId, LogIndex Index) Read(byte key) => _values.GetValueOrDefault(key);

    /// <summary>Serializes the registers.</summary>
    public byte[] Serialize()
    {
        var data = new byte[8 + (_values.Count * 17)];
        BinaryPrimitives.WriteUInt64LittleEndian(data, Applied.Value);
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
        ConfState = snapshot.Metadata.ConfState;
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
