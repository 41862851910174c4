using Distate.Raft;

namespace Distate.Storage.CrashChild;

/// <summary>The deterministic entry content the crash test parent verifies byte for byte.</summary>
public static class CrashPayload
{
    /// <summary>The entry at index in term: its payload length and bytes are functions of both.</summary>
    public static Entry Make(ulong index, ulong term)
    {
        var data = new byte[(int)((index * 37) + term) % 200 + 1];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((index * 131) + (term * 17) + (ulong)i);
        }

        return new Entry(new LogIndex(index), new Term(term), EntryType.Normal, data);
    }
}
