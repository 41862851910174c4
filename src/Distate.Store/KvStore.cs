using Distate.Store.Alarms;
using Distate.Store.Codec;
using Distate.Store.Commands;
using Distate.Store.Errors;
using Distate.Store.Mvcc;
using Distate.Store.Results;
using Distate.Store.Validation;
using Distate.Store.Watch;

namespace Distate.Store;

/// <summary>The MVCC key-value state machine (etcd v3 semantics). Concurrency model: one thread applies committed commands
/// through <see cref="Apply(StoreCommand)"/> under the write side of a reader-writer lock; reads (<see cref="Range"/>, leases,
/// <see cref="HashKv"/>) take the read side from any thread, so they never see half of a command. Watchers never block apply.</summary>
public sealed partial class KvStore : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly RequestValidator _validator;
    private readonly WatchHub _hub;
    private MvccState _state;

    /// <summary>Creates an empty store at revision 1.</summary>
    public KvStore(StoreSettings? settings = null)
    {
        Settings = settings ?? new StoreSettings();
        Settings.Validate();
        _validator = new RequestValidator(Settings);
        _state = new MvccState(Settings);
        _hub = new WatchHub(_lock, () => _state, Settings);
    }

    /// <summary>The limits in force.</summary>
    public StoreSettings Settings { get; }

    /// <summary>The newest revision.</summary>
    public Revision CurrentRevision => Read(static state => new Revision(state.CurrentRevision));

    /// <summary>The oldest readable revision.</summary>
    public Revision CompactRevision => Read(static state => new Revision(state.CompactRevision));

    /// <summary>Bytes charged against <see cref="StoreSettings.QuotaBytes"/>.</summary>
    public long UsedBytes => Read(static state => state.UsedBytes);

    /// <summary>Number of keys in the index (including deleted keys whose history is not yet compacted).</summary>
    public int IndexedKeyCount => Read(static state => state.Index.Count);

    /// <summary>Number of registered watchers.</summary>
    public int WatcherCount => _hub.Count;

    /// <summary>Checks a command exactly as <see cref="Apply(StoreCommand)"/> will (sizes, empty keys, enum values, txn op
    /// budget and duplicate writes) without touching the state, so a request can be refused before it is proposed;
    /// null when it would be accepted. Stateless: any thread.</summary>
    public StoreErrorCode? Validate(StoreCommand command) => _validator.Validate(command);

    /// <summary>Decodes and applies a committed log entry; throws <see cref="StoreCodecException"/> when it is malformed.</summary>
    public StoreResult Apply(ReadOnlySpan<byte> encodedCommand) => Apply(CommandCodec.Decode(encodedCommand));

    /// <summary>Applies one committed command: validated first, then applied atomically, then its events are published to watchers.
    /// Refusals come back as <see cref="StoreError"/> with nothing changed.</summary>
    public StoreResult Apply(StoreCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        _lock.EnterWriteLock();
        try
        {
            StoreErrorCode? refused = _validator.Validate(command) ?? _state.RefusedByAlarm(command);
            if (refused is not null)
            {
                return StoreError.Create(new Revision(_state.CurrentRevision), refused.Value);
            }

            long before = _state.CurrentRevision;
            _state.BeginWrite();
            StoreResult result = Dispatch(command);
            KeyVersion[]? changes = _state.EndWrite();
            Invariant.Check(changes is null || result is not StoreError, "a refused command changes nothing");
            Invariant.Check(_state.CurrentRevision == before + (changes is null ? 0 : 1), "a command advances the revision at most once");
            if (changes is not null)
            {
                _hub.Publish(changes);
            }

            return result is TxnResult ? result.WithHeaderRevision(new Revision(_state.CurrentRevision)) : result;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private StoreResult Dispatch(StoreCommand command) => command switch
    {
        PutCommand put => _state.Put(put),
        DeleteRangeCommand delete => _state.DeleteRange(delete),
        RangeCommand range => _state.Range(range),
        TxnCommand txn => _state.Txn(txn),
        CompactCommand compact => _state.Compact(compact),
        LeaseGrantCommand grant => _state.LeaseGrant(grant),
        LeaseRevokeCommand revoke => _state.LeaseRevoke(revoke),
        LeaseCheckpointCommand checkpoint => _state.LeaseCheckpoint(checkpoint),
        AlarmCommand alarm => _state.Alarm(alarm),
        _ => throw new ArgumentException($"unknown command type {command.GetType().Name}", nameof(command)),
    };

    /// <summary>
    /// The door's space check on this member's view, before a client command is proposed: <see cref="StoreErrorCode.NoSpace"/>
    /// when the command would add bytes while a NOSPACE alarm is raised, or when its bytes would pass the quota — then
    /// <paramref name="exceedsQuota"/> is true and the caller raises the alarm (as etcd's quota door does). Null otherwise.
    /// Apply checks again on the replicated state, so a command admitted here on a stale view is still refused alike everywhere.
    /// </summary>
    public StoreErrorCode? CheckSpace(StoreCommand command, out bool exceedsQuota)
    {
        ArgumentNullException.ThrowIfNull(command);
        (StoreErrorCode? refused, bool exceeds) = Read(state =>
        {
            long added = state.BytesAdded(command);
            return (state.RefusedByAlarm(command), added > 0 && state.UsedBytes + added > Settings.QuotaBytes);
        });
        exceedsQuota = refused is null && exceeds;
        return refused ?? (exceeds ? StoreErrorCode.NoSpace : null);
    }

    /// <summary>The raised alarms of a type (every type for <see cref="AlarmType.None"/>), in (member, type) order.</summary>
    public IReadOnlyList<AlarmMember> Alarms(AlarmType type) => Read(state => state.Alarms.List(type));

    /// <summary>True when an alarm of the type is raised (for NOSPACE: writes that add bytes are refused).</summary>
    public bool IsAlarmRaised(AlarmType type) => Read(state => state.Alarms.IsRaised(type));

    /// <summary>A serializable read from any thread: the range as of its revision (or the current one).</summary>
    public StoreResult Range(RangeCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        StoreErrorCode? refused = _validator.Validate(command);
        return Read(state => refused is null ? state.Range(command) : StoreError.Create(new Revision(state.CurrentRevision), refused.Value));
    }

    /// <summary>A lease with its checkpointed remaining TTL and optionally its keys, or null when it does not exist.</summary>
    public LeaseInfo? LeaseTimeToLive(LeaseId id, bool withKeys) => Read(state => state.LeaseInfo(id, withKeys));

    /// <summary>Every lease in id order (without keys): what a new leader needs to restart countdowns.</summary>
    public IReadOnlyList<LeaseInfo> LeaseList() => Read(static state => state.LeaseList());

    /// <summary>Registers a watcher (from any thread). Throws <see cref="StoreRequestException"/> when refused.</summary>
    public Watcher Watch(WatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        StoreErrorCode? refused = request.Key is null || request.RangeEnd is null ? StoreErrorCode.InvalidArgument
            : request.Key.Length == 0 ? StoreErrorCode.EmptyKey
            : request.Key.Length > Settings.MaxKeyBytes || request.RangeEnd.Length > Settings.MaxKeyBytes ? StoreErrorCode.RequestTooLarge
            : null;
        if (refused is not null)
        {
            throw new StoreRequestException(StoreError.Create(CurrentRevision, refused.Value));
        }

        return Read(state => _hub.Register(request));
    }

    /// <summary>Sends a progress notification (current revision) to synced watchers that asked for them; call periodically.</summary>
    public void NotifyProgress() => _hub.NotifyProgress();

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();

    private T Read<T>(Func<MvccState, T> read)
    {
        _lock.EnterReadLock();
        try
        {
            return read(_state);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }
}
