namespace Distate.Raft;

/// <summary>What a log entry carries.</summary>
public enum EntryType : byte
{
    /// <summary>Application data (possibly empty: the leader's no-op on election).</summary>
    Normal = 0,

    /// <summary>An encoded <see cref="ConfChange"/>; the host applies it with <c>RaftNode.ApplyConfChange</c>.</summary>
    ConfChange = 1,
}
