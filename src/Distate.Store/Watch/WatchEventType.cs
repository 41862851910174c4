namespace Distate.Store.Watch;

/// <summary>The kind of change an event reports.</summary>
public enum WatchEventType
{
    /// <summary>A key was written.</summary>
    Put = 0,

    /// <summary>A key was deleted.</summary>
    Delete = 1,
}
