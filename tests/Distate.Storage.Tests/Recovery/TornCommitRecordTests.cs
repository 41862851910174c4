using System.Buffers.Binary;
using Distate.Raft;
using Distate.Storage.Tests.Support;

namespace Distate.Storage.Tests.Recovery;

// Proves that a FASTER fast-commit record torn by power loss ends the log before it instead of defeating recovery
// (the failure SimulatedCrashTests found with seed 1011). Three batches are acknowledged and the store closed; then,
// right after the last valid commit record, the segment file gets what a crash during the next commit's write leaves:
// a commit record whose header, version, checksum and begin address reached the disk but whose until address is
// garbage (zeros from a mid-sector tear, or stale bytes). FASTER 2.6.5's own "recover latest" copies that garbage
// into its recovery state before the checksum check fails and opened an empty log. The store must reopen with every
// acknowledged entry, accept appends over the torn bytes, and reopen again with all of them.
public sealed class TornCommitRecordTests
{
    private const int CommitRecordBytes = 48; // 4-byte header (negative length) + FASTER's 44-byte commit body

    [Theory]
    [InlineData(0L)]
    [InlineData(1L << 40)]
    [InlineData(-1L)]
    public async Task Torn_newest_commit_record_recovers_every_acknowledged_append(long tornUntil)
    {
        using var dir = new TempDirectory();
        var acknowledged = new List<Entry>();
        using (var storage = FasterRaftStorage.Open(TestEntries.Options(dir.Path)))
        {
            for (ulong first = 1; first <= 9; first += 4)
            {
                var batch = TestEntries.Run(first, 4, 1, 200);
                await storage.PersistAsync(new HardState(new Term(1), new NodeId(1), new LogIndex(first)), batch);
                acknowledged.AddRange(batch);
            }
        }

        AppendTornCommitRecord(Path.Combine(dir.Path, "log", "raft.0"), tornUntil);

        using (var reopened = FasterRaftStorage.Open(TestEntries.Options(dir.Path)))
        {
            reopened.AssertInvariants();
            Assert.Equal(new LogIndex(12), reopened.LastIndex());
            Assert.Equal(new HardState(new Term(1), new NodeId(1), new LogIndex(9)), reopened.HardState);
            TestEntries.AssertSame(acknowledged, reopened.Entries(new LogIndex(1), new LogIndex(13), long.MaxValue));
            var more = TestEntries.Run(13, 4, 2, 200);
            await reopened.PersistAsync(null, more);
            acknowledged.AddRange(more);
        }

        using var again = FasterRaftStorage.Open(TestEntries.Options(dir.Path));
        again.AssertInvariants();
        TestEntries.AssertSame(acknowledged, again.Entries(new LogIndex(1), new LogIndex(17), long.MaxValue));
    }

    /// <summary>
    /// Writes, right after the last valid commit record of <paramref name="segment"/>, the next commit record as a
    /// tear leaves it: header, version, checksum and begin address intact, until address = <paramref name="tornUntil"/>
    /// and everything after it zero.
    /// </summary>
    private static void AppendTornCommitRecord(string segment, long tornUntil)
    {
        var bytes = File.ReadAllBytes(segment);
        var last = LastCommitRecord(bytes);
        Assert.True(last >= 0, "the segment must hold a commit record");
        var body = bytes.AsSpan(last + 4);
        var begin = BinaryPrimitives.ReadInt64LittleEndian(body[12..]);
        var number = BinaryPrimitives.ReadInt64LittleEndian(body[28..]) + 1;
        var at = last + CommitRecordBytes;
        var until = (long)at + CommitRecordBytes; // Segment 0 starts at address 0, so file offsets are addresses.
        var torn = new byte[CommitRecordBytes];
        BinaryPrimitives.WriteInt32LittleEndian(torn, -(CommitRecordBytes - 4));
        BinaryPrimitives.WriteInt32LittleEndian(torn.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(torn.AsSpan(8), begin ^ until ^ number ^ 0 ^ -1);
        BinaryPrimitives.WriteInt64LittleEndian(torn.AsSpan(16), begin);
        BinaryPrimitives.WriteInt64LittleEndian(torn.AsSpan(24), tornUntil);
        Assert.NotEqual(until, tornUntil);
        if (bytes.Length < at + torn.Length)
        {
            Array.Resize(ref bytes, at + torn.Length);
        }

        Assert.True(bytes.AsSpan(at, torn.Length).IndexOfAnyExcept((byte)0) < 0, "nothing was written after the last commit");
        torn.CopyTo(bytes, at);
        File.WriteAllBytes(segment, bytes);
    }

    /// <summary>Offset of the last well-formed commit record (until address = its own end), or -1.</summary>
    private static int LastCommitRecord(byte[] bytes)
    {
        var last = -1;
        for (var offset = 0; offset + CommitRecordBytes <= bytes.Length; offset += 4)
        {
            var span = bytes.AsSpan(offset);
            if (BinaryPrimitives.ReadInt32LittleEndian(span) == -(CommitRecordBytes - 4)
                && BinaryPrimitives.ReadInt32LittleEndian(span[4..]) == 1
                && BinaryPrimitives.ReadInt64LittleEndian(span[24..]) == offset + CommitRecordBytes)
            {
                last = offset;
            }
        }

        return last;
    }
}
