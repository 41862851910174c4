namespace Distate.Server.Api;

/// <summary>Which request of etcd's WatchRequest oneof a stream message carries.</summary>
internal enum WatchStreamMessageKind
{
    /// <summary>None set: ignored, as etcd does.</summary>
    None = 0,

    /// <summary>create_request.</summary>
    Create = 1,

    /// <summary>cancel_request.</summary>
    Cancel = 2,

    /// <summary>progress_request.</summary>
    Progress = 3,
}
