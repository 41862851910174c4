namespace Distate.Load;

/// <summary>Which members the clients talk to.</summary>
internal enum Target
{
    /// <summary>Every client talks to the member that reports itself leader in /v3/maintenance/status.</summary>
    Leader,

    /// <summary>Clients are spread over all endpoints round-robin (client i uses endpoint i mod n).</summary>
    All,

    /// <summary>Clients are spread round-robin over the endpoints that are not the leader (writes a follower must pass
    /// on to the leader).</summary>
    Followers,
}
