using Distate.Raft;

namespace Distate.Node.Requests;

/// <summary>A proposal of this member appended at a known index: it succeeded iff the entry applied there has <see cref="Term"/>.</summary>
/// <param name="Term">The term it was appended in.</param>
/// <param name="Waiter">Who waits.</param>
/// <param name="StartedTimestamp">When it was proposed (TimeProvider timestamp).</param>
internal sealed record PendingProposal(Term Term, IRequestWaiter Waiter, long StartedTimestamp);
