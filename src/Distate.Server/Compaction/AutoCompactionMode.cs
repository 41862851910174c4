namespace Distate.Server.Compaction;

/// <summary>How the leader chooses the revision to compact to (etcd's --auto-compaction-mode).</summary>
public enum AutoCompactionMode
{
    /// <summary>Keep the history of the last retention period: compact to the revision seen that long ago.</summary>
    Periodic,

    /// <summary>Keep the last retention revisions: compact to the current revision minus the retention.</summary>
    Revision,
}
