using Distate.Store.Errors;
using Distate.Store.Leases;

namespace Distate.Store.Mvcc;

/// <summary>The replicated data of the store: key index, revision log, leases and counters, with the operations on them.
/// Not thread-safe: <see cref="KvStore"/> guards it. Every write runs inside <see cref="BeginWrite"/>/<see cref="EndWrite"/>,
/// which gives all changes of one command the same main revision.</summary>
internal sealed partial class MvccState
{
    private readonly List<KeyVersion> _pendingEvents = [];
    private long _pendingRevision;
    private int _pendingSub;
    private bool _writing;

    /// <summary>Creates an empty state at revision 1.</summary>
    public MvccState(StoreSettings settings)
    {
        Settings = settings;
    }

    /// <summary>The limits in force.</summary>
    public StoreSettings Settings { get; }

    /// <summary>Every key.</summary>
    public KeyIndex Index { get; } = new();

    /// <summary>Every stored version in revision order.</summary>
    public RevisionLog Log { get; } = new();

    /// <summary>Every lease.</summary>
    public LeaseTable Leases { get; } = new();

    /// <summary>The newest revision. Invariant: CompactRevision &lt;= CurrentRevision.</summary>
    public long CurrentRevision { get; set; } = 1;

    /// <summary>Revisions below this cannot be read.</summary>
    public long CompactRevision { get; set; }

    /// <summary>Bytes charged against the quota: every stored version and lease.</summary>
    public long UsedBytes { get; set; }

    /// <summary>Starts a command that may write: its changes get revision CurrentRevision + 1.</summary>
    public void BeginWrite()
    {
        Invariant.Check(!_writing, "writes do not nest");
        _writing = true;
        _pendingRevision = CurrentRevision + 1;
        _pendingSub = 0;
        _pendingEvents.Clear();
    }

    /// <summary>Ends the command; advances the revision once when anything changed and returns the new versions (or null).</summary>
    public KeyVersion[]? EndWrite()
    {
        Invariant.Check(_writing, "EndWrite follows BeginWrite");
        _writing = false;
        if (_pendingSub == 0)
        {
            return null;
        }

        CurrentRevision = _pendingRevision;
        Invariant.Check(_pendingEvents.Count == _pendingSub, "one event per change");
        return [.. _pendingEvents];
    }

    /// <summary>The revision the current command's changes get.</summary>
    private long PendingRevision => _pendingRevision;

    /// <summary>Header revision for a result: the pending revision once something was written, else the current one.</summary>
    private Revision HeaderRevision => new(_pendingSub > 0 ? _pendingRevision : CurrentRevision);

    /// <summary>Records a new version of a key: links it, logs it, charges it and queues its event.</summary>
    private KeyVersion AddVersion(KeyRecord record, byte[]? value, long createRevision, long version, long lease)
    {
        Invariant.Check(_writing, "versions are added inside a write");
        var added = new KeyVersion(record, value, _pendingRevision, _pendingSub, createRevision, version, lease, record.Latest);
        _pendingSub++;
        record.Latest = added;
        Log.Append(added);
        UsedBytes += added.CostBytes(Settings.VersionOverheadBytes);
        _pendingEvents.Add(added);
        return added;
    }

    /// <summary>Checks a read revision against the compact and current revisions; null when readable.</summary>
    private StoreError? CheckReadRevision(long revision)
    {
        if (revision <= 0)
        {
            return null;
        }

        if (revision > CurrentRevision)
        {
            return StoreError.Create(new Revision(CurrentRevision), StoreErrorCode.FutureRevision);
        }

        return revision < CompactRevision
            ? StoreError.Create(new Revision(CurrentRevision), StoreErrorCode.Compacted, new Revision(CompactRevision))
            : null;
    }

    /// <summary>Creates an error at the current revision.</summary>
    private StoreError Error(StoreErrorCode code) => StoreError.Create(new Revision(CurrentRevision), code);
}
