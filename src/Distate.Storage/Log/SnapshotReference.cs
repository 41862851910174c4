using Distate.Raft;

namespace Distate.Storage.Log;

/// <summary>What the log records about a snapshot: its metadata and the checksum and length of its data file.</summary>
/// <param name="Metadata">Position and membership.</param>
/// <param name="DataCrc">CRC-32C of the snapshot data.</param>
/// <param name="DataLength">Length of the snapshot data in bytes.</param>
internal sealed record SnapshotReference(SnapshotMetadata Metadata, uint DataCrc, int DataLength);
