using Distate.Raft;
using Distate.Storage.Io;
using Distate.Storage.Log;
using Distate.Storage.Snapshots;
using FASTER.core;

namespace Distate.Storage;

/// <summary>The write side: every mutation is one or more log records, applied to the image in the same order.</summary>
public sealed partial class FasterRaftStorage
{
    /// <summary>
    /// Persists a Raft Ready batch as one durable operation: <paramref name="entries"/> (replacing any conflicting
    /// suffix from their first index; entries already compacted are ignored) and then <paramref name="hardState"/>.
    /// The records are enqueued before this returns; the task completes when they are on stable storage, and faults
    /// with <see cref="StorageFailedException"/> if they cannot be. Cancellation only stops waiting.
    /// </summary>
    public ValueTask PersistAsync(HardState? hardState, IReadOnlyList<Entry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Task durable;
        lock (_gate)
        {
            EnsureWritableLocked();
            var skip = _image.FirstLiveOffset(entries);
            if (skip == entries.Count && hardState is null)
            {
                return ValueTask.CompletedTask;
            }

            if (skip < entries.Count)
            {
                CheckEntries(entries, skip);
            }

            foreach (var chunk in Chunk(entries, skip))
            {
                var isLast = chunk.End == entries.Count;
                var records = Slice(entries, chunk.Start, chunk.End);
                var address = EnqueueLocked(new LogRecord { Kind = RecordKind.Batch, HardState = isLast ? hardState : null, Entries = records });
                _image.Append(records, 0, address);
            }

            if (hardState is { } hs)
            {
                _image.HardState = hs;
            }

            durable = RegisterDurableLocked();
        }

        return new ValueTask(durable.WaitAsync(cancellationToken));
    }

    /// <summary>Persists the hard state alone; the task completes when it is durable.</summary>
    public ValueTask SetHardStateAsync(HardState hardState, CancellationToken cancellationToken = default) =>
        PersistAsync(hardState, [], cancellationToken);

    /// <summary>
    /// Replaces the whole log with a snapshot received from the leader: the data file is written and flushed first,
    /// then a Base record; once durable, older log segments and snapshot files are removed.
    /// </summary>
    public async ValueTask ApplySnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Task durable;
        long address;
        lock (_gate)
        {
            EnsureWritableLocked();
            Invariant.Check(snapshot.Metadata.Index >= _image.Snapshot.Metadata.Index, "snapshot must not go backwards");
            var reference = SaveSnapshotFile(snapshot.Metadata, snapshot.Data);
            address = EnqueueLocked(new LogRecord
            {
                Kind = RecordKind.Base,
                HardState = _image.HardState,
                BaseKind = BaseKind.SnapshotApplied,
                BaseIndex = snapshot.Metadata.Index,
                BaseTerm = snapshot.Metadata.Term,
                ReplayFrom = LogRecord.ReplayFromSelf,
                Snapshot = reference,
            });
            _image.ResetTo(snapshot.Metadata.Index, snapshot.Metadata.Term);
            _image.Snapshot = reference;
            _snapshotData = null; // Read back from the file when a follower needs it (see LatestSnapshot).
            durable = RegisterDurableLocked();
        }

        await durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseBehindAsync(address, snapshot.Metadata.Index).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a snapshot the host took of its state machine at <paramref name="index"/> (≤ applied, ≤ last index):
    /// data file first, then a Snapshot record; older snapshot files are removed once it is durable.
    /// </summary>
    public async ValueTask<Snapshot> CreateSnapshotAsync(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var staged = StageSnapshot(index, confState, data.ToArray())
            ?? throw new InvalidOperationException($"snapshot at {index} is behind the held snapshot at {LatestSnapshot().Metadata.Index}");
        return await CommitSnapshotAsync(staged, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"snapshot at {index} was superseded while it was written");
    }

    /// <summary>
    /// The slow half of taking a snapshot, safe to run beside the node loop: looks up the term at
    /// <paramref name="index"/>, then writes and flushes the data file <em>without</em> holding the storage lock, so
    /// writes of the log go on meanwhile. Storage keeps <paramref name="data"/> (the caller must not change it).
    /// Returns null when a newer snapshot already covers <paramref name="index"/> (one installed from the leader).
    /// </summary>
    public StagedSnapshot? StageSnapshot(LogIndex index, ConfState confState, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(confState);
        SnapshotMetadata metadata;
        lock (_gate)
        {
            EnsureWritableLocked();
            if (IsSupersededLocked(index))
            {
                return null;
            }

            metadata = new SnapshotMetadata(index, _image.TermAt(index), confState);
        }

        var reference = SaveSnapshotFile(metadata, data);
        Invariant.Check(reference.DataLength == data.Length, "the staged file holds every byte of the data");
        return new StagedSnapshot(reference, data);
    }

    /// <summary>
    /// The quick half: records a staged snapshot in the log (a small record) and, once durable, removes older snapshot
    /// files. Returns null, recording nothing, when a snapshot at a later index was recorded or installed meanwhile.
    /// </summary>
    public async ValueTask<Snapshot?> CommitSnapshotAsync(StagedSnapshot staged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staged);
        Task durable;
        Snapshot snapshot;
        var index = staged.Metadata.Index;
        lock (_gate)
        {
            EnsureWritableLocked();
            if (IsSupersededLocked(index))
            {
                return null;
            }

            Invariant.Check(_image.TermAt(index) == staged.Metadata.Term, "a committed index keeps the term it was staged with");
            _ = EnqueueLocked(new LogRecord { Kind = RecordKind.Snapshot, Snapshot = staged.Reference });
            _image.Snapshot = staged.Reference;
            _snapshotData = null;
            snapshot = new Snapshot(staged.Metadata, staged.Data);
            durable = RegisterDurableLocked();
        }

        await durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseBehindAsync(null, index).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>
    /// Drops entries up to and including <paramref name="index"/> (a snapshot should cover them) with a Base record;
    /// once durable, FasterLog is truncated (TruncateUntil) up to the first record still needed.
    /// </summary>
    public async ValueTask CompactAsync(LogIndex index, CancellationToken cancellationToken = default)
    {
        Task durable;
        long truncateTo;
        lock (_gate)
        {
            EnsureWritableLocked();
            if (index <= _image.BaseIndex)
            {
                return;
            }

            Invariant.Check(index <= _image.LastIndex, "compaction beyond the last index");
            var replayFrom = index < _image.LastIndex ? _image.AddressOf(index.Next) : LogRecord.ReplayFromSelf;
            var address = EnqueueLocked(new LogRecord
            {
                Kind = RecordKind.Base,
                HardState = _image.HardState,
                BaseKind = BaseKind.Compacted,
                BaseIndex = index,
                BaseTerm = _image.TermAt(index),
                ReplayFrom = replayFrom,
                Snapshot = _image.Snapshot,
            });
            truncateTo = replayFrom == LogRecord.ReplayFromSelf ? address : replayFrom;
            _image.Compact(index);
            durable = RegisterDurableLocked();
        }

        await durable.WaitAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseBehindAsync(truncateTo, null).ConfigureAwait(false);
    }

    /// <summary>Completes opening: starts the committer, discards a torn tail and persists the bootstrap snapshot.</summary>
    private void FinishOpen(RecoveryResult recovered, ConfState? bootstrap)
    {
        // Verified now, so damage is reported at open rather than when a follower first needs the snapshot; then only
        // weakly held (see _snapshotData).
        _snapshotData = _image.Snapshot.DataLength == 0
            ? null
            : new WeakReference<byte[]>(_snapshots.Load(_image.Snapshot.Metadata.Index, _image.Snapshot.Metadata.Term, _image.Snapshot.DataCrc, _image.Snapshot.DataLength));
        _committer = Task.Run(CommitLoopAsync);
        Task durable = Task.CompletedTask;
        lock (_gate)
        {
            foreach (var torn in recovered.TornTail)
            {
                _ = EnqueueLocked(new LogRecord { Kind = RecordKind.Discard, DiscardedAddress = torn });
                durable = RegisterDurableLocked();
            }
        }

        durable.GetAwaiter().GetResult();
        if (recovered.RecordCount == 0 && bootstrap is not null)
        {
            ApplySnapshotAsync(new Snapshot(new SnapshotMetadata(LogIndex.Zero, Term.Zero, bootstrap), default)).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>True when a held snapshot or the log's base is past <paramref name="index"/>; else checks it is in the log.</summary>
    private bool IsSupersededLocked(LogIndex index)
    {
        if (index < _image.Snapshot.Metadata.Index || index < _image.BaseIndex)
        {
            return true;
        }

        Invariant.Check(index <= _image.LastIndex, "snapshot beyond the last index");
        return false;
    }

    /// <summary>Writes a snapshot data file (size-checked; an I/O failure fails the storage).</summary>
    private Log.SnapshotReference SaveSnapshotFile(SnapshotMetadata metadata, ReadOnlyMemory<byte> data)
    {
        if (data.Length > _options.MaxSnapshotBytes)
        {
            throw new ArgumentException($"snapshot of {data.Length} bytes exceeds StorageOptions.MaxSnapshotBytes ({_options.MaxSnapshotBytes})", nameof(data));
        }

        try
        {
            var crc = data.Length == 0 ? 0u : _snapshots.Save(metadata.Index, metadata.Term, data.Span);
            return new Log.SnapshotReference(metadata, crc, data.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
            throw _failure!;
        }
    }

    /// <summary>
    /// After a durable base or snapshot: truncates the log head and removes snapshot files older than the durable one.
    /// TruncateUntil only moves FasterLog's in-memory begin address; the commit that follows writes commit metadata
    /// with the new begin address and then FASTER deletes the segment files wholly below it, before the commit
    /// completes. So when this returns, the old segments are gone from the directory.
    /// </summary>
    private async ValueTask ReleaseBehindAsync(long? truncateTo, LogIndex? durableSnapshotIndex)
    {
        try
        {
            var truncated = false;
            lock (_gate)
            {
                if (truncateTo is { } address && !_closed && !IsFailed)
                {
                    Invariant.Check(address <= _log.TailAddress, "truncation stays below the tail");
                    _log.TruncateUntil(address);
                    truncated = true;
                }
            }

            if (truncated)
            {
                await _log.CommitAsync().ConfigureAwait(false);
                Invariant.Check(_log.CommittedBeginAddress >= truncateTo!.Value, "the commit after TruncateUntil persists the new begin address");
                var belowSegment = (int)(_log.CommittedBeginAddress >> _options.SegmentSizeBits);
                lock (_gate)
                {
                    ((SegmentSyncDevice)_settings.LogDevice).RemoveSegments(_firstLiveSegment, belowSegment);
                    _firstLiveSegment = Math.Max(_firstLiveSegment, belowSegment);
                }

            }

            if (durableSnapshotIndex is { } index)
            {
                _snapshots.RemoveOlderThan(index);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FasterException)
        {
            Fail(ex);
            throw _failure!;
        }
    }

    private void CheckEntries(IReadOnlyList<Entry> entries, int skip)
    {
        Invariant.Check(entries[skip].Index <= _image.LastIndex.Next, "append would leave a gap in the log");
        for (var i = skip; i < entries.Count; i++)
        {
            Invariant.Check(i == skip || entries[i].Index == entries[i - 1].Index.Next, "appended entries must be contiguous");
            if (entries[i].Data.Length > _options.MaxEntryBytes)
            {
                throw new ArgumentException(
                    $"entry {entries[i].Index} has {entries[i].Data.Length} bytes, above StorageOptions.MaxEntryBytes ({_options.MaxEntryBytes})", nameof(entries));
            }
        }
    }

    /// <summary>Splits entries[skip..] into runs whose encoded batch fits in one record.</summary>
    private List<(int Start, int End)> Chunk(IReadOnlyList<Entry> entries, int skip)
    {
        var chunks = new List<(int, int)>();
        var budget = _options.MaxRecordBytes - RecordCodecLimits.HeaderBytes - RecordCodecLimits.BatchOverheadBytes;
        var start = skip;
        long used = 0;
        for (var i = skip; i < entries.Count; i++)
        {
            var size = RecordCodecLimits.EntryOverheadBytes + entries[i].Data.Length;
            if (i > start && used + size > budget)
            {
                chunks.Add((start, i));
                start = i;
                used = 0;
            }

            used += size;
        }

        chunks.Add((start, entries.Count));
        Invariant.Check(chunks[^1].Item2 == entries.Count, "chunks cover every entry");
        return chunks;
    }

    private static IReadOnlyList<Entry> Slice(IReadOnlyList<Entry> entries, int start, int end)
    {
        if (start == 0 && end == entries.Count)
        {
            return entries;
        }

        var slice = new Entry[end - start];
        for (var i = start; i < end; i++)
        {
            slice[i - start] = entries[i];
        }

        return slice;
    }
}
