using Distate.Raft;

namespace Distate.Node.Driver;

/// <summary>
/// One Ready on its way through the contract. The runtime takes it with <see cref="NodeDriver.TakeReady"/> and then calls,
/// in this order and each exactly once: <see cref="NodeDriver.PersistAsync"/>, <see cref="NodeDriver.HandOff"/> (and
/// queues the batch it returns for the apply task), <see cref="NodeDriver.Advance"/>. The driver checks the order.
/// </summary>
public sealed class ReadyWork
{
    internal ReadyWork(Ready ready, bool sentFirst)
    {
        Ready = ready;
        SentFirst = sentFirst;
    }

    /// <summary>The Ready.</summary>
    public Ready Ready { get; }

    /// <summary>True when a leader already sent the messages before persisting (they carry no new term or vote).</summary>
    public bool SentFirst { get; }

    /// <summary>How far the runtime has taken it. Written by the driver only.</summary>
    internal ReadyStage Stage { get; set; } = ReadyStage.Taken;

    /// <summary>True when the Ready has anything to persist.</summary>
    public bool NeedsPersist => Ready.Snapshot is not null || Ready.Entries.Count > 0 || Ready.HardState is not null;
}

/// <summary>The steps of <see cref="ReadyWork"/>, in order.</summary>
internal enum ReadyStage
{
    /// <summary>Taken from Raft; messages of a send-first leader are out.</summary>
    Taken,

    /// <summary>Snapshot, entries and hard state are durable.</summary>
    Persisted,

    /// <summary>Messages are sent and the apply batch is made.</summary>
    HandedOff,

    /// <summary>Raft was advanced past it.</summary>
    Advanced,
}
