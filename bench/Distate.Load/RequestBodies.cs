using System.Text;

namespace Distate.Load;

/// <summary>
/// Every request body of a run, JSON-encoded once before the clock starts (one per key), so the hot loop only picks
/// an index and hands a read-only slice to the socket. Keys are "{prefix}key-{index:D8}"; every put writes the same
/// deterministic value.
/// </summary>
internal sealed class RequestBodies
{
    private readonly ReadOnlyMemory<byte>[] _bodies;

    private RequestBodies(string path, ReadOnlyMemory<byte>[] bodies)
    {
        Path = path;
        _bodies = bodies;
    }

    /// <summary>The gateway path the bodies go to, e.g. /v3/kv/put.</summary>
    public string Path { get; }

    /// <summary>How many distinct bodies (one per key).</summary>
    public int Count => _bodies.Length;

    /// <summary>The body for key <paramref name="index"/>.</summary>
    public ReadOnlyMemory<byte> this[int index] => _bodies[index];

    /// <summary>Encodes the bodies a workload sends over the key space.</summary>
    public static RequestBodies For(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = Convert.ToBase64String(MakeValue(options.ValueBytes));
        var path = options.Workload is Workload.Put or Workload.Fill ? "/v3/kv/put" : "/v3/kv/range";
        var bodies = new ReadOnlyMemory<byte>[options.KeySpace];
        for (var i = 0; i < bodies.Length; i++)
        {
            var key = Convert.ToBase64String(Encoding.UTF8.GetBytes(KeyName(options.KeyPrefix, i)));
            var json = options.Workload switch
            {
                Workload.Put or Workload.Fill => $$"""{"key":"{{key}}","value":"{{value}}"}""",
                Workload.GetSerializable => $$"""{"key":"{{key}}","serializable":true}""",
                _ => $$"""{"key":"{{key}}"}""",
            };
            bodies[i] = Encoding.UTF8.GetBytes(json);
        }

        return new RequestBodies(path, bodies);
    }

    /// <summary>The key for an index: fixed width, so keys sort in index order.</summary>
    public static string KeyName(string prefix, int index) =>
        prefix + "key-" + index.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] MakeValue(int length)
    {
        var value = new byte[length];
        var state = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('a' + (int)(FastRandom.Next(ref state) % 26));
        }

        return value;
    }
}
