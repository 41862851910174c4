using System.Diagnostics;
using System.Net;
using Distate.Raft;
using Distate.Transport;

// Two transports on loopback (127.0.0.1 -> 127.0.0.2). Throughput: Append messages with 1 and 64 entries of 128 B,
// sender enqueues as fast as TrySend accepts, receiver counts what arrives. Latency: heartbeat ping-pong.
// Every loop is bounded by time and count. Usage: dotnet run -c Release --project bench/Distate.Transport.Bench [seconds]
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
var duration = TimeSpan.FromSeconds(seconds);

await using var one = Start(1);
await using var two = Start(2);
one.SetPeer(new NodeId(2), two.ListenEndpoint!);
two.SetPeer(new NodeId(1), one.ListenEndpoint!);

Console.WriteLine($"{"case",-28} {"msgs/s",12} {"MB/s",9} {"entries/s",12} {"TrySend false",14}");
foreach (var entries in new[] { 1, 64 })
{
    await Throughput(one, two, entries, duration);
}

await PingPong(one, two, duration);

static PeerTransport Start(ulong id)
{
    var address = IPAddress.Parse($"127.0.0.{id}");
    var transport = new PeerTransport(new TransportSettings
    {
        LocalId = new NodeId(id),
        ClusterId = 1,
        AdvertisedEndpoint = new IPEndPoint(address, 0),
        ListenEndpoint = new IPEndPoint(address, 0),
        MaxQueuedMessagesPerPeer = 8192,
        MaxIncomingMessages = 8192,
    });
    transport.Start();
    return transport;
}

static async Task Throughput(PeerTransport one, PeerTransport two, int entryCount, TimeSpan duration)
{
    var entries = new Entry[entryCount];
    for (var i = 0; i < entryCount; i++)
    {
        entries[i] = new Entry(new LogIndex((ulong)i + 1), new Term(1), EntryType.Normal, new byte[128]);
    }

    var message = new Message { Type = MessageType.Append, From = new NodeId(1), To = new NodeId(2), Term = new Term(1), Entries = entries };
    var before = two.GetStats().Peers.GetValueOrDefault(new NodeId(1));
    using var stop = new CancellationTokenSource(duration);
    var clock = Stopwatch.StartNew();
    var receiver = Task.Run(async () =>
    {
        long received = 0;
        try
        {
            while (await two.Incoming.WaitToReadAsync(stop.Token))
            {
                while (two.Incoming.TryRead(out _))
                {
                    received++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The measurement window ended.
        }

        return received;
    });

    long rejected = 0;
    while (!stop.IsCancellationRequested)
    {
        if (!one.TrySend(message))
        {
            rejected++;
            await Task.Yield(); // queue full: let the writer drain it
        }
    }

    var count = await receiver;
    var elapsed = clock.Elapsed.TotalSeconds;
    var after = two.GetStats().Peers[new NodeId(1)];
    var bytes = after.BytesReceived - before.BytesReceived;
    Console.WriteLine($"{$"append {entryCount} x 128 B",-28} {count / elapsed,12:N0} {bytes / elapsed / 1e6,9:N1} {count * entryCount / elapsed,12:N0} {rejected,14:N0}");
    // Let anything still in flight arrive so the next case starts clean.
    while (two.Incoming.TryRead(out _) || await WaitBriefly(two))
    {
    }
}

static async Task<bool> WaitBriefly(PeerTransport transport)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
    try
    {
        return await transport.Incoming.WaitToReadAsync(timeout.Token);
    }
    catch (OperationCanceledException)
    {
        return false; // Quiet for 200 ms: drained.
    }
}

static async Task PingPong(PeerTransport one, PeerTransport two, TimeSpan duration)
{
    using var stop = new CancellationTokenSource(duration + TimeSpan.FromSeconds(5));
    var echo = Task.Run(async () =>
    {
        await foreach (var ping in two.Incoming.ReadAllAsync(stop.Token))
        {
            two.TrySend(new Message { Type = MessageType.HeartbeatResponse, From = new NodeId(2), To = new NodeId(1), Term = new Term(1), Context = ping.Context });
        }
    });

    var samples = new List<double>(200_000);
    var window = Stopwatch.StartNew();
    for (ulong round = 1; round <= 200_000 && window.Elapsed < duration; round++)
    {
        var start = Stopwatch.GetTimestamp();
        one.TrySend(new Message { Type = MessageType.Heartbeat, From = new NodeId(1), To = new NodeId(2), Term = new Term(1), Context = round });
        var pong = await one.Incoming.ReadAsync(stop.Token);
        samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        if (pong.Context != round)
        {
            throw new InvalidOperationException($"pong {pong.Context} answered ping {round}: order broken");
        }
    }

    await stop.CancelAsync();
    try
    {
        await echo;
    }
    catch (OperationCanceledException)
    {
        // The echo loop ends by cancellation.
    }

    samples.Sort();
    Console.WriteLine($"ping-pong heartbeat: {samples.Count:N0} round trips, p50 {samples[samples.Count / 2]:F1} µs, p99 {samples[(int)(samples.Count * 0.99)]:F1} µs");
}
