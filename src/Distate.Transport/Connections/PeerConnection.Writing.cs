using System.Net.Sockets;
using Distate.Raft;
using Distate.Transport.Codec;

namespace Distate.Transport.Connections;

/// <summary>
/// Draining the queue into a connected socket: whole messages in batches, and each Snapshot message as a run of chunk
/// frames with the messages queued meanwhile written between its chunks.
/// </summary>
internal sealed partial class PeerConnection
{
    /// <summary>Writes queued messages in batches of up to MaxBatchBytes per socket write, and each Snapshot as chunks, until cancelled or the socket fails.</summary>
    private async Task PumpAsync(Socket socket, CancellationToken sessionToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(sessionToken).ConfigureAwait(false))
        {
            _batch.Clear();
            GatherMessages();
            if (_batch.Messages > 0)
            {
                await WriteBatchAsync(socket, ReadOnlyMemory<byte>.Empty, sessionToken).ConfigureAwait(false);
                continue;
            }

            var read = reader.TryRead(out var snapshot);
            Invariant.Check(read, "the queue had something and only this task reads it");
            Invariant.Check(snapshot.Message.Type == MessageType.Snapshot, "gathering stops only before a snapshot");
            await StreamSnapshotAsync(socket, snapshot, sessionToken).ConfigureAwait(false);
        }
    }

    /// <summary>Moves queued messages into the batch up to MaxBatchBytes, stopping before a Snapshot (it goes on its own, in chunks).</summary>
    private void GatherMessages()
    {
        var reader = _queue.Reader;
        while (_batch.Length < _settings.MaxBatchBytes && reader.TryPeek(out var next) && next.Message.Type != MessageType.Snapshot)
        {
            var read = reader.TryRead(out var item);
            Invariant.Check(read && ReferenceEquals(item.Message, next.Message), "the single reader reads what it peeked");
            _batch.AddMessage(item);
        }
    }

    /// <summary>
    /// Streams one Snapshot message as chunks of at most SnapshotChunkBytes, each chunk's data written straight from
    /// the snapshot's memory after its header (no copy of the snapshot into a frame buffer). Before every chunk but the
    /// first, the messages queued meanwhile (up to MaxBatchBytes, never another snapshot) go in the same write, so a
    /// heartbeat waits for at most one chunk, not the whole transfer. Reports SnapshotSent exactly once: true after
    /// the last chunk's write completed, false when any write failed or the session ended first.
    /// </summary>
    private async Task StreamSnapshotAsync(Socket socket, OutgoingMessage item, CancellationToken sessionToken)
    {
        var data = item.Message.Snapshot!.Data;
        var id = ++_lastSnapshotId;
        var envelope = RaftMessageCodec.EncodeEnvelope(item.Message);
        Invariant.Check(envelope.Length == item.EncodedBytes, "the envelope is what TrySend measured");
        var offset = 0;
        try
        {
            do
            {
                _batch.Clear();
                if (offset > 0)
                {
                    GatherMessages();
                }

                var length = NextChunkBytes(offset, data.Length, offset == 0 ? envelope.Length : 0);
                var chunk = data.Slice(offset, length);
                _batch.AddChunkHeader(new SnapshotChunkHeader(id, offset, data.Length, length), offset == 0 ? envelope : [], chunk.Span);
                await WriteBatchAsync(socket, chunk, sessionToken).ConfigureAwait(false);
                _counters.AddSnapshotChunkSent(length);
                offset += length;
            }
            while (offset < data.Length);
        }
        catch (Exception exception)
        {
            _counters.AddDropped(1);
            _log.Write(TransportLogLevel.Debug, $"snapshot {id} to node {_peer} failed after {offset} of {data.Length} bytes: {exception.Message}");
            _onSnapshotSent(_peer, false);
            throw;
        }

        _counters.AddSent(1, 0);
        _counters.AddSnapshotSent();
        _onSnapshotSent(_peer, true);
    }

    /// <summary>Data bytes of the chunk at <paramref name="offset"/>: SnapshotChunkBytes, less when the rest is shorter or the first chunk's envelope leaves less room in the frame.</summary>
    private int NextChunkBytes(int offset, int total, int envelopeBytes)
    {
        var room = _settings.MaxFrameBytes - SnapshotChunkCodec.MaxHeaderBytesWith(envelopeBytes);
        var length = Math.Min(total - offset, Math.Min(_settings.SnapshotChunkBytes, room));
        Invariant.Check(length > 0 || total == 0, "every chunk of a non-empty snapshot carries data (TrySend checked the envelope's room)");
        return length;
    }

    /// <summary>Writes the batch, then <paramref name="chunkData"/> (the data of the chunk whose header ends the batch, or nothing), within WriteTimeout.</summary>
    private async Task WriteBatchAsync(Socket socket, ReadOnlyMemory<byte> chunkData, CancellationToken sessionToken)
    {
        Invariant.Check(_batch.EndsWithChunkHeader || chunkData.IsEmpty, "chunk data follows only its header");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(sessionToken);
        timeout.CancelAfter(_settings.WriteTimeout);
        try
        {
            await SendAllAsync(socket, _batch.Written, timeout.Token).ConfigureAwait(false);
            await SendAllAsync(socket, chunkData, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _counters.AddDropped(_batch.Messages);
            if (exception is OperationCanceledException && !sessionToken.IsCancellationRequested)
            {
                throw new TimeoutException($"writing {_batch.Length + chunkData.Length} bytes to node {_peer} took longer than WriteTimeout = {_settings.WriteTimeout}", exception);
            }

            throw;
        }

        _counters.AddSent(_batch.Messages, _batch.Length + chunkData.Length);
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken token)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None, token).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }
}
