namespace Distate.Store.Commands;

/// <summary>A command the state machine applies; encoded with <see cref="Codec.CommandCodec"/> into Raft log entries.
/// The store takes ownership of every byte array a command holds: do not change them after applying.</summary>
public abstract record StoreCommand;
