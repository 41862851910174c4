using Distate.Raft;
using Distate.Storage.Log;
using FASTER.core;

namespace Distate.Storage;

/// <summary>Recovery: scan the committed log, verify checksums, and replay records into a fresh image.</summary>
public sealed partial class FasterRaftStorage
{
    /// <summary>
    /// Rebuilds the image from the committed log:
    /// 1. scan every record in [BeginAddress, CommittedUntilAddress), decoding and checksumming each;
    /// 2. a damaged record followed by a valid record is corruption unless a later Discard record names it;
    ///    damaged records after the last valid one are a torn tail and are dropped;
    /// 3. the last Base record gives the starting base and the address replay starts from;
    /// 4. replay applies records from there in address order, exactly as the live writes did.
    /// </summary>
    private static RecoveryResult Recover(FasterLog log)
    {
        var scanned = Scan(log);
        var tornTail = CheckDamage(scanned);
        var (baseRecord, baseAddress) = LastBase(scanned);
        var image = baseRecord is null
            ? new InMemoryLog(LogIndex.Zero, Term.Zero)
            : new InMemoryLog(baseRecord.BaseIndex, baseRecord.BaseTerm);
        var replayFrom = baseRecord is null ? long.MinValue
            : baseRecord.ReplayFrom == LogRecord.ReplayFromSelf ? baseAddress : baseRecord.ReplayFrom;
        var valid = 0;
        foreach (var (address, record) in scanned)
        {
            if (record is null || address < replayFrom)
            {
                continue;
            }

            Replay(image, record, address);
            valid++;
        }

        image.AssertInvariants();
        Invariant.Check(baseRecord is null || image.BaseIndex == baseRecord.BaseIndex, "replay must not move the base past the last Base record");
        return new RecoveryResult(image, valid, tornTail);
    }

    private static List<(long Address, LogRecord? Record)> Scan(FasterLog log)
    {
        var records = new List<(long, LogRecord?)>();
        try
        {
            using var iterator = log.Scan(log.BeginAddress, log.CommittedUntilAddress);
            while (iterator.GetNext(out var bytes, out var length, out var address, out var nextAddress))
            {
                Invariant.Check(nextAddress > address, "scan must advance");
                _ = RecordCodec.TryDecode(bytes.AsSpan(0, length), out var record);
                records.Add((address, record));
            }
        }
        catch (FasterException ex)
        {
            throw new StorageCorruptionException(
                $"the log could not be scanned ({ex.Message}); record framing is damaged. Restore this node from a replica.", ex);
        }

        return records;
    }

    private static List<long> CheckDamage(List<(long Address, LogRecord? Record)> scanned)
    {
        var lastValid = scanned.FindLastIndex(r => r.Record is not null);
        var discarded = new HashSet<long>();
        foreach (var (_, record) in scanned)
        {
            if (record is { Kind: RecordKind.Discard })
            {
                discarded.Add(record.DiscardedAddress);
            }
        }

        var tornTail = new List<long>();
        for (var i = 0; i < scanned.Count; i++)
        {
            var (address, record) = scanned[i];
            if (record is not null || discarded.Contains(address))
            {
                continue;
            }

            if (i < lastValid)
            {
                throw new StorageCorruptionException(
                    $"log record at address {address} fails its checksum but valid records follow it: acknowledged data is damaged. Restore this node from a replica.");
            }

            tornTail.Add(address);
        }

        return tornTail;
    }

    private static (LogRecord? Record, long Address) LastBase(List<(long Address, LogRecord? Record)> scanned)
    {
        for (var i = scanned.Count - 1; i >= 0; i--)
        {
            if (scanned[i].Record is { Kind: RecordKind.Base } record)
            {
                return (record, scanned[i].Address);
            }
        }

        return (null, 0);
    }

    private static void Replay(InMemoryLog image, LogRecord record, long address)
    {
        switch (record.Kind)
        {
            case RecordKind.Batch:
                image.Append(record.Entries, image.FirstLiveOffset(record.Entries), address);
                break;
            case RecordKind.Snapshot:
                image.Snapshot = record.Snapshot!;
                break;
            case RecordKind.Base:
                Invariant.Check(record.BaseIndex <= image.BaseIndex, "replayed Base records never pass the last one");
                image.Snapshot = record.Snapshot!;
                break;
            case RecordKind.Discard:
                break;
            default:
                throw new InvariantViolationException($"decoded an unknown record kind {record.Kind}");
        }

        if (record.HardState is { } hardState)
        {
            image.HardState = hardState;
        }
    }
}
