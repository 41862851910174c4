using Distate.Raft;

namespace Distate.Transport.Tests.Support;

/// <summary>Messages for codec and transport tests, with every field set so a dropped field shows up.</summary>
internal static class Samples
{
    /// <summary>A message of the given type with every field, entries and a snapshot set to non-default values.</summary>
    public static Message Full(MessageType type, NodeId from, NodeId to) => new()
    {
        Type = type,
        From = from,
        To = to,
        Term = new Term(7),
        LogTerm = new Term(6),
        Index = new LogIndex(300),
        Commit = new LogIndex(290),
        Reject = true,
        RejectHint = new LogIndex(ulong.MaxValue),
        Context = 0xDEADBEEFCAFEUL,
        Entries =
        [
            new Entry(new LogIndex(301), new Term(7), EntryType.Normal, new byte[] { 1, 2, 3 }),
            new Entry(new LogIndex(302), new Term(7), EntryType.ConfChange, new byte[200]),
            new Entry(new LogIndex(303), new Term(7), EntryType.Normal, ReadOnlyMemory<byte>.Empty),
        ],
        Snapshot = new Snapshot(
            new SnapshotMetadata(new LogIndex(250), new Term(5), new ConfState([new NodeId(1), new NodeId(2), new NodeId(1000)], [new NodeId(4)])),
            Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray()),
    };

    /// <summary>A heartbeat carrying a sequence number in Context.</summary>
    public static Message Heartbeat(ulong from, ulong to, ulong sequence) => new()
    {
        Type = MessageType.Heartbeat, From = new NodeId(from), To = new NodeId(to), Term = new Term(1), Context = sequence,
    };

    /// <summary>An Append with the given number of entries of the given size.</summary>
    public static Message Append(ulong from, ulong to, ulong index, int entries, int entryBytes) => new()
    {
        Type = MessageType.Append, From = new NodeId(from), To = new NodeId(to), Term = new Term(1), Index = new LogIndex(index),
        Entries = Enumerable.Range(1, entries).Select(i => new Entry(new LogIndex(index + (ulong)i), new Term(1), EntryType.Normal, new byte[entryBytes])).ToArray(),
    };

    /// <summary>A Snapshot message whose data has the given size.</summary>
    public static Message Snapshot(ulong from, ulong to, int dataBytes) => new()
    {
        Type = MessageType.Snapshot, From = new NodeId(from), To = new NodeId(to), Term = new Term(2),
        Snapshot = new Snapshot(new SnapshotMetadata(new LogIndex(10), new Term(2), ConfState.OfVoters(from, to)), new byte[dataBytes]),
    };

    /// <summary>A Snapshot message whose data has the given size and seeded random content, so a misplaced chunk shows up.</summary>
    public static Message RandomSnapshot(ulong from, ulong to, int dataBytes, int seed)
    {
        var data = new byte[dataBytes];
        new Random(seed).NextBytes(data);
        return new Message
        {
            Type = MessageType.Snapshot, From = new NodeId(from), To = new NodeId(to), Term = new Term(3), Index = new LogIndex(40),
            Snapshot = new Snapshot(new SnapshotMetadata(new LogIndex((ulong)seed + 100), new Term(3), ConfState.OfVoters(from, to, 9)), data),
        };
    }

    /// <summary>Asserts two messages carry the same fields, entries and snapshot.</summary>
    public static void AssertEqual(Message expected, Message actual)
    {
        Assert.Equal(expected.ToString(), actual.ToString());
        Assert.Equal(
            (expected.Type, expected.From, expected.To, expected.Term, expected.LogTerm, expected.Index, expected.Commit, expected.Reject, expected.RejectHint, expected.Context),
            (actual.Type, actual.From, actual.To, actual.Term, actual.LogTerm, actual.Index, actual.Commit, actual.Reject, actual.RejectHint, actual.Context));
        Assert.Equal(expected.Entries.Length, actual.Entries.Length);
        for (var i = 0; i < expected.Entries.Length; i++)
        {
            Assert.Equal((expected.Entries[i].Index, expected.Entries[i].Term, expected.Entries[i].Type), (actual.Entries[i].Index, actual.Entries[i].Term, actual.Entries[i].Type));
            Assert.True(expected.Entries[i].Data.Span.SequenceEqual(actual.Entries[i].Data.Span), $"entry {i} data differs");
        }

        Assert.Equal(expected.Snapshot is null, actual.Snapshot is null);
        if (expected.Snapshot is { } snapshot)
        {
            Assert.Equal(snapshot.Metadata, actual.Snapshot!.Metadata);
            Assert.True(snapshot.Data.Span.SequenceEqual(actual.Snapshot.Data.Span), "snapshot data differs");
        }
    }
}
