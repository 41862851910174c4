namespace Distate.Store.Commands;

/// <summary>What an <see cref="AlarmCommand"/> does (etcd's AlarmRequest.AlarmAction without GET, which is a read).</summary>
public enum AlarmAction : byte
{
    /// <summary>Raise the alarm.</summary>
    Activate = 1,

    /// <summary>Disarm the alarm.</summary>
    Deactivate = 2,
}
