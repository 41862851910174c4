using Distate.Node.Seams;
using Distate.Raft;

namespace Distate.Node.Apply;

/// <summary>A state captured for a snapshot at <paramref name="Index"/>, to be written out beside the loop.</summary>
/// <param name="Index">The applied index the capture matches exactly.</param>
/// <param name="ConfState">The membership as of that index.</param>
/// <param name="Source">Writes the captured state.</param>
public sealed record SnapshotCapture(LogIndex Index, ConfState ConfState, ISnapshotSource Source);
