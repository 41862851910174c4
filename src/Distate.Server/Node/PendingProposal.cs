using Distate.Raft;
using Distate.Store.Results;

namespace Distate.Server.Node;

/// <summary>A proposal made on this member, waiting for its entry to be applied.</summary>
internal readonly record struct PendingProposal(Term Term, TaskCompletionSource<StoreResult?> Completion, long StartedTicks);
