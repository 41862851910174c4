using Distate.Raft;

namespace Distate.Storage.Tests.Support;

/// <summary>Builds entries and storage options for tests.</summary>
public static class TestEntries
{
    /// <summary>Entries [first, first + count) in one term with payloads that identify index and term.</summary>
    public static Entry[] Run(ulong first, int count, ulong term, int payloadBytes = 16)
    {
        var entries = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = Make(first + (ulong)i, term, payloadBytes);
        }

        return entries;
    }

    /// <summary>One entry whose payload encodes its index and term.</summary>
    public static Entry Make(ulong index, ulong term, int payloadBytes = 16)
    {
        var data = new byte[payloadBytes];
        for (var b = 0; b < data.Length; b++)
        {
            data[b] = (byte)((index * 31) + (term * 7) + (ulong)b);
        }

        return new Entry(new LogIndex(index), new Term(term), index % 5 == 0 ? EntryType.ConfChange : EntryType.Normal, data);
    }

    /// <summary>Small-page options so tests exercise page and segment boundaries quickly.</summary>
    public static StorageOptions Options(string directory, Func<string, FASTER.core.IDevice>? device = null) => new()
    {
        Directory = directory,
        PageSizeBits = 16,
        MemorySizeBits = 18,
        SegmentSizeBits = 18,
        MaxEntryBytes = 8 << 10,
        DeviceFactory = device,
    };

    /// <summary>Asserts two entry lists are equal field by field and byte by byte.</summary>
    public static void AssertSame(IReadOnlyList<Entry> expected, IReadOnlyList<Entry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Index, actual[i].Index);
            Assert.Equal(expected[i].Term, actual[i].Term);
            Assert.Equal(expected[i].Type, actual[i].Type);
            Assert.Equal(expected[i].Data.ToArray(), actual[i].Data.ToArray());
        }
    }
}
