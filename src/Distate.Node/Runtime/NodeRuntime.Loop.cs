using Distate.Node.Requests;
using Distate.Raft;

namespace Distate.Node.Runtime;

/// <summary>The loop: hand a batch of inputs to the driver, then walk every Ready through persist → hand off → advance.</summary>
public sealed partial class NodeRuntime
{
    private async Task RunLoopAsync()
    {
        var reader = _inputs.Reader;
        await StartAsLoneVoterAsync().ConfigureAwait(false);
        while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            for (var taken = 0; taken < _options.MaxInputsPerBatch && reader.TryRead(out var input); taken++)
            {
                Dispatch(input);
            }

            await HandleReadiesAsync().ConfigureAwait(false);
            await _driver.SaveStagedSnapshotAsync(_stop.Token).ConfigureAwait(false);
            _status = _driver.Status();
        }
    }

    /// <summary>
    /// Handles what is already committed (the founding membership) and, if this member is the only voter, takes
    /// leadership at once instead of waiting out an election timeout; then waits for apply to catch up.
    /// </summary>
    private async Task StartAsLoneVoterAsync()
    {
        await HandleReadiesAsync().ConfigureAwait(false);
        if (_driver.Config.Voters is [var only] && only == _driver.Id)
        {
            _driver.Campaign();
            await HandleReadiesAsync().ConfigureAwait(false);
        }

        var caughtUp = new TaskWaiter();
        await _applies.Writer.WriteAsync(_driver.Marker(caughtUp), _stop.Token).ConfigureAwait(false);
        await caughtUp.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
        _status = _driver.Status();
        _started.TrySetResult();
    }

    private void Dispatch(RuntimeInput input)
    {
        switch (input)
        {
            case RuntimeInput.Tick:
                Volatile.Write(ref _tickQueued, 0);
                _driver.Tick();
                break;
            case RuntimeInput.Proposal proposal:
                _driver.Propose(proposal.Data, proposal.Waiter);
                break;
            case RuntimeInput.ConfChangeProposal change:
                _driver.ProposeConfChange(change.Change, change.Waiter);
                break;
            case RuntimeInput.Read read:
                _driver.ReadIndex(read.Waiter);
                break;
            case RuntimeInput.Peer peer:
                _driver.Deliver(peer.Message);
                break;
            case RuntimeInput.Unreachable unreachable:
                _driver.ReportUnreachable(unreachable.Node);
                break;
            case RuntimeInput.SnapshotStatus snapshot:
                _driver.ReportSnapshot(snapshot.Node, snapshot.Succeeded);
                break;
            case RuntimeInput.Staged staged:
                _driver.SnapshotStaged(staged.Snapshot);
                break;
            case RuntimeInput.Marker marker:
                // Every batch handed over so far precedes this one in the apply channel.
                _applies.Writer.TryWrite(_driver.Marker(marker.Waiter));
                break;
        }
    }

    /// <summary>The contract, one Ready at a time: persist, hand off (queue for the apply task), advance.</summary>
    private async Task HandleReadiesAsync()
    {
        while (_driver.TakeReady() is { } work)
        {
            await _driver.PersistAsync(work, _stop.Token).ConfigureAwait(false);
            if (_driver.HandOff(work) is { } batch)
            {
                await _applies.Writer.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
            }

            _driver.Advance(work);
        }
    }

    private async Task RunTickerAsync()
    {
        using var timer = new PeriodicTimer(_options.TickInterval, _time);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            // At most one tick waits in the queue. Were ticks to pile up while the loop is busy (a slow fsync, a burst
            // of writes), the loop would then run them back to back: a follower would time out its leader in one
            // go although the leader's heartbeats are merely queued behind, and depose a healthy leader.
            if (Interlocked.Exchange(ref _tickQueued, 1) == 0 && !_inputs.Writer.TryWrite(new RuntimeInput.Tick()))
            {
                Volatile.Write(ref _tickQueued, 0);
            }
        }
    }
}
