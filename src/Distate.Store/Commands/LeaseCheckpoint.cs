namespace Distate.Store.Commands;

/// <summary>The remaining TTL of one lease as counted down by the leader.</summary>
/// <param name="Id">The lease.</param>
/// <param name="RemainingTtlSeconds">Seconds left, between 0 and the granted TTL; the granted TTL means "renewed".</param>
public readonly record struct LeaseCheckpoint(LeaseId Id, long RemainingTtlSeconds);
