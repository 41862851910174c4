namespace Distate.Server.Forwarding;

/// <summary>
/// Endpoint metadata that declares an operation leader-only, once, where the endpoint is mapped: a follower relays such a
/// request to the leader over HTTP (<see cref="ForwardingMiddleware"/>). There is no separate route list, so a new
/// leader-only endpoint is forwarded as soon as it is mapped with <see cref="LeaderOnlyEndpoints.LeaderOnly{TBuilder}"/>.
/// </summary>
public sealed class LeaderOnly
{
    private LeaderOnly(bool onlyWhileReadOnly) => OnlyWhileReadOnly = onlyWhileReadOnly;

    /// <summary>Only the leader can answer it (it reads the leader's clock, or changes membership or alarms).</summary>
    public static LeaderOnly Always { get; } = new(onlyWhileReadOnly: false);

    /// <summary>A key-value write: any member proposes it (the node driver forwards the command to the leader), except a
    /// member whose disk is full, which takes no new entries and so relays the request over HTTP.</summary>
    public static LeaderOnly WhileReadOnly { get; } = new(onlyWhileReadOnly: true);

    /// <summary>True when the operation goes to the leader only while this member is read-only (a full disk).</summary>
    public bool OnlyWhileReadOnly { get; }
}

/// <summary>Declares endpoints leader-only.</summary>
public static class LeaderOnlyEndpoints
{
    /// <summary>Only the leader answers this endpoint; followers relay it.</summary>
    public static TBuilder LeaderOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Forwarding.LeaderOnly.Always);

    /// <summary>A key-value write (see <see cref="Forwarding.LeaderOnly.WhileReadOnly"/>).</summary>
    public static TBuilder KeyValueWrite<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Forwarding.LeaderOnly.WhileReadOnly);
}
