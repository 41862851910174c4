namespace Distate.Store.Mvcc;

/// <summary>The ordered set of keys: a list of sorted chunks (at most <see cref="MaxChunk"/> records each), so lookups are
/// two binary searches, inserts move at most a chunk, and range scans walk arrays. About 8-16 bytes per key.
/// Invariant: chunks are non-empty and every key of a chunk sorts before every key of the next (ordinal bytes).</summary>
internal sealed class KeyIndex
{
    /// <summary>Largest chunk before it is split in two.</summary>
    public const int MaxChunk = 512;

    private readonly List<List<KeyRecord>> _chunks = [];

    /// <summary>Number of keys, including ones whose newest version is a tombstone.</summary>
    public int Count { get; private set; }

    /// <summary>Finds the record for a key.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out KeyRecord record)
    {
        (int chunk, int position) = Seek(key);
        if (chunk < _chunks.Count && _chunks[chunk][position].Key.AsSpan().SequenceEqual(key))
        {
            record = _chunks[chunk][position];
            return true;
        }

        record = null!;
        return false;
    }

    /// <summary>Adds a record for a key not yet present.</summary>
    public void Add(KeyRecord record)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add([record]);
            Count = 1;
            return;
        }

        (int chunk, int position) = Seek(record.Key);
        if (chunk == _chunks.Count)
        {
            chunk--;
            position = _chunks[chunk].Count;
        }

        List<KeyRecord> target = _chunks[chunk];
        Invariant.Check(position == target.Count || !target[position].Key.AsSpan().SequenceEqual(record.Key), "a key has one record");
        target.Insert(position, record);
        Count++;
        if (target.Count > MaxChunk)
        {
            List<KeyRecord> upper = target.GetRange(target.Count / 2, target.Count - (target.Count / 2));
            target.RemoveRange(target.Count / 2, upper.Count);
            _chunks.Insert(chunk + 1, upper);
        }
    }

    /// <summary>Removes a record (compaction dropped every version).</summary>
    public void Remove(KeyRecord record)
    {
        (int chunk, int position) = Seek(record.Key);
        Invariant.Check(chunk < _chunks.Count && ReferenceEquals(_chunks[chunk][position], record), "removed records were present");
        _chunks[chunk].RemoveAt(position);
        Count--;
        if (_chunks[chunk].Count == 0)
        {
            _chunks.RemoveAt(chunk);
        }
    }

    /// <summary>Every record in key order.</summary>
    public RangeEnumerable All => new(this, 0, 0, [], toEnd: true);

    /// <summary>Records in [key, rangeEnd) by etcd's conventions: empty end is one key, "\0" is every key from key on.</summary>
    public RangeEnumerable Range(byte[] key, byte[] rangeEnd)
    {
        (int chunk, int position) = Seek(key);
        if (rangeEnd.Length == 0)
        {
            bool found = chunk < _chunks.Count && _chunks[chunk][position].Key.AsSpan().SequenceEqual(key);
            return found ? new RangeEnumerable(this, chunk, position, [], toEnd: false, single: true) : default;
        }

        return new RangeEnumerable(this, chunk, position, rangeEnd, toEnd: rangeEnd is [0]);
    }

    /// <summary>True when a key falls in [key, rangeEnd) by etcd's conventions.</summary>
    public static bool Contains(ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd, ReadOnlySpan<byte> candidate)
    {
        if (rangeEnd.Length == 0)
        {
            return candidate.SequenceEqual(key);
        }

        if (candidate.SequenceCompareTo(key) < 0)
        {
            return false;
        }

        return (rangeEnd.Length == 1 && rangeEnd[0] == 0) || candidate.SequenceCompareTo(rangeEnd) < 0;
    }

    /// <summary>Checks chunk sizes, strict key order across the whole index, and the count (slow; tests only).</summary>
    public void AssertInvariants()
    {
        int counted = 0;
        byte[]? previous = null;
        foreach (List<KeyRecord> chunk in _chunks)
        {
            Invariant.Check(chunk.Count > 0 && chunk.Count <= MaxChunk, "chunks are non-empty and bounded");
            foreach (KeyRecord record in chunk)
            {
                Invariant.Check(previous is null || previous.AsSpan().SequenceCompareTo(record.Key) < 0, "keys strictly ascending");
                previous = record.Key;
                counted++;
            }
        }

        Invariant.Check(counted == Count, "count matches records");
    }

    /// <summary>Position of the first record with key &gt;= the probe; (chunk count, 0) when none.</summary>
    private (int Chunk, int Position) Seek(ReadOnlySpan<byte> key)
    {
        int low = 0;
        int high = _chunks.Count;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            List<KeyRecord> candidate = _chunks[middle];
            if (candidate[^1].Key.AsSpan().SequenceCompareTo(key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        if (low == _chunks.Count)
        {
            return (low, 0);
        }

        List<KeyRecord> chunk = _chunks[low];
        int first = 0;
        int last = chunk.Count;
        while (first < last)
        {
            int middle = first + ((last - first) / 2);
            if (chunk[middle].Key.AsSpan().SequenceCompareTo(key) < 0)
            {
                first = middle + 1;
            }
            else
            {
                last = middle;
            }
        }

        Invariant.Check(first < chunk.Count, "the chunk's last key is at or above the probe");
        return (low, first);
    }

    /// <summary>A range of records, enumerable without allocation.</summary>
    internal readonly struct RangeEnumerable
    {
        private readonly KeyIndex? _index;
        private readonly int _chunk;
        private readonly int _position;
        private readonly byte[] _end;
        private readonly bool _toEnd;
        private readonly bool _single;

        /// <summary>Creates a range starting at a position.</summary>
        public RangeEnumerable(KeyIndex index, int chunk, int position, byte[] end, bool toEnd, bool single = false)
        {
            _index = index;
            _chunk = chunk;
            _position = position;
            _end = end;
            _toEnd = toEnd;
            _single = single;
        }

        /// <summary>Starts enumerating.</summary>
        public Enumerator GetEnumerator() => new(_index, _chunk, _position, _end, _toEnd, _single);
    }

    /// <summary>Walks chunks from a start position until the end key; the index must not change meanwhile.</summary>
    internal struct Enumerator
    {
        private readonly List<List<KeyRecord>>? _chunks;
        private readonly byte[] _end;
        private readonly bool _toEnd;
        private readonly bool _single;
        private int _chunk;
        private int _position;
        private bool _started;

        /// <summary>Creates an enumerator positioned before the start.</summary>
        public Enumerator(KeyIndex? index, int chunk, int position, byte[] end, bool toEnd, bool single)
        {
            _chunks = index?._chunks;
            _chunk = chunk;
            _position = position;
            _end = end;
            _toEnd = toEnd;
            _single = single;
            _started = false;
            Current = null!;
        }

        /// <summary>The current record.</summary>
        public KeyRecord Current { get; private set; }

        /// <summary>Moves to the next record in range.</summary>
        public bool MoveNext()
        {
            if (_chunks is null || (_single && _started))
            {
                return false;
            }

            if (_started && ++_position == _chunks[_chunk].Count)
            {
                _chunk++;
                _position = 0;
            }

            _started = true;
            if (_chunk >= _chunks.Count)
            {
                return false;
            }

            Current = _chunks[_chunk][_position];
            return _single || _toEnd || Current.Key.AsSpan().SequenceCompareTo(_end) < 0;
        }
    }
}
