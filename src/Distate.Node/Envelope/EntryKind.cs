namespace Distate.Node.Envelope;

/// <summary>What a log entry's payload is; the state machine dispatches on it. Values are on disk: never renumber.</summary>
public enum EntryKind : byte
{
    /// <summary>A store command (the MVCC state machine's own encoding).</summary>
    StoreCommand = 1,

    /// <summary>A member publishing its name and client URLs (etcd's publish).</summary>
    MemberPublish = 2,

    /// <summary>A test or simulator payload (the simulator's registers).</summary>
    Test = 255,
}
