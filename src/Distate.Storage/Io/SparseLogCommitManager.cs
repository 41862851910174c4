using System.Buffers.Binary;
using Distate.Raft;
using FASTER.core;

namespace Distate.Storage.Io;

/// <summary>
/// FASTER's commit manager for Distate's log, which runs in fast-commit mode: every commit already writes a commit
/// record into the log itself, and recovery starts from the newest metadata blob and scans forward for commit
/// records. A metadata blob is therefore only needed where the log alone is not enough: when the begin address
/// moves (TruncateUntil; FASTER deletes the segments below it right after this commit returns) and as the first
/// recovery point of a process. Every other commit is skipped, which takes a file create + fsync + rename + unlink
/// off each durable append (see docs/storage-durability.md).
/// </summary>
/// <remarks>
/// Blob format: u32 CRC-32C of the rest, then FASTER's metadata bytes. A blob that fails its checksum is reported
/// missing, so FASTER falls back to the next older one (blobs are written atomically, so this only guards against
/// media damage). Invariant: a stored blob's begin address is never above the begin address of the data on disk.
/// </remarks>
internal sealed class SparseLogCommitManager : ILogCommitManager
{
    private readonly ICommitMetadataStore _store;
    private readonly Lock _gate = new();
    private long _writtenBeginAddress = -1;
    private long _writtenCommitNum = -1;

    /// <summary>Keeps commit metadata in <paramref name="store"/>.</summary>
    public SparseLogCommitManager(ICommitMetadataStore store) => _store = store;

    /// <summary>Metadata blobs written by this process (tests count them).</summary>
    public int BlobsWritten { get; private set; }

    /// <inheritdoc />
    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        Invariant.Check(untilAddress >= beginAddress, "a commit ends at or after its begin address");
        lock (_gate)
        {
            if (beginAddress == _writtenBeginAddress && !forceWriteMetadata)
            {
                return; // The commit record in the log carries this commit; recovery scans forward to it.
            }

            var blob = new byte[4 + commitMetadata.Length];
            commitMetadata.CopyTo(blob, 4);
            BinaryPrimitives.WriteUInt32LittleEndian(blob, Crc32C.Compute(blob.AsSpan(4)));
            _store.Write(commitNum, blob);
            foreach (var older in _store.List())
            {
                if (older < commitNum)
                {
                    _store.Delete(older); // Only after the newer blob is durable.
                }
            }

            Invariant.Check(beginAddress >= _writtenBeginAddress, "the begin address only moves forward");
            _writtenBeginAddress = beginAddress;
            _writtenCommitNum = commitNum;
            BlobsWritten++;
        }
    }

    /// <summary>
    /// The until address recorded in the newest readable metadata blob, or null if there is none. FASTER's blob
    /// layout (FasterLogRecoveryInfo, version 1): i32 version, i64 checksum, i64 begin address, i64 until address.
    /// </summary>
    public long? NewestUntilAddress()
    {
        foreach (var number in ListCommits())
        {
            if (GetCommitMetadata(number) is { Length: >= 28 } metadata)
            {
                return BinaryPrimitives.ReadInt64LittleEndian(metadata.AsSpan(20));
            }
        }

        return null;
    }

    /// <inheritdoc />
    public byte[]? GetCommitMetadata(long commitNum)
    {
        var blob = _store.Read(commitNum);
        if (blob is null || blob.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(blob) != Crc32C.Compute(blob.AsSpan(4)))
        {
            return null;
        }

        return blob.AsSpan(4).ToArray();
    }

    /// <inheritdoc />
    public IEnumerable<long> ListCommits()
    {
        var numbers = _store.List().ToList();
        numbers.Sort();
        numbers.Reverse();
        return numbers;
    }

    /// <inheritdoc />
    public void RemoveCommit(long commitNum) => _store.Delete(commitNum);

    /// <inheritdoc />
    public void RemoveAllCommits()
    {
        foreach (var number in _store.List())
        {
            _store.Delete(number);
        }
    }

    /// <inheritdoc />
    public void OnRecovery(long commitNum)
    {
        Invariant.Check(_writtenCommitNum == -1, "recovery happens before this process commits");
        foreach (var number in _store.List())
        {
            if (number != commitNum)
            {
                _store.Delete(number);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
