namespace Distate.Store.Watch;

/// <summary>One message to a watcher: the events of one revision, a progress notification, or the final cancel.</summary>
/// <param name="WatchId">The watcher.</param>
/// <param name="Revision">Header revision: the revision of the events, or the store revision for progress and cancel.</param>
/// <param name="Events">Events in (revision, sub-revision) order; empty for progress and cancel.</param>
/// <param name="IsProgressNotify">True for a progress notification: every event up to Revision was already delivered.</param>
/// <param name="Canceled">True for the last message of a canceled watcher.</param>
/// <param name="CancelReason">Why it was canceled, when it was.</param>
/// <param name="CompactRevision">For a compaction cancel, the compact revision; else none.</param>
public sealed record WatchResponse(
    long WatchId,
    Revision Revision,
    IReadOnlyList<WatchEvent> Events,
    bool IsProgressNotify = false,
    bool Canceled = false,
    string? CancelReason = null,
    Revision CompactRevision = default);
