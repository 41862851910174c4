namespace Distate.Store.Codec;

/// <summary>The tag byte of each command in the binary encoding; values are part of the format and never reused.</summary>
internal enum CommandKind : byte
{
    /// <summary>A put.</summary>
    Put = 1,

    /// <summary>A delete-range.</summary>
    DeleteRange = 2,

    /// <summary>A range.</summary>
    Range = 3,

    /// <summary>A txn.</summary>
    Txn = 4,

    /// <summary>A compaction.</summary>
    Compact = 5,

    /// <summary>A lease grant.</summary>
    LeaseGrant = 6,

    /// <summary>A lease revoke.</summary>
    LeaseRevoke = 7,

    /// <summary>A lease checkpoint.</summary>
    LeaseCheckpoint = 8,

    /// <summary>An alarm activation or deactivation.</summary>
    Alarm = 9,
}
