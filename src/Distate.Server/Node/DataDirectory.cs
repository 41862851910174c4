using System.Text.Json;
using System.Text.Json.Serialization;

namespace Distate.Server.Node;

/// <summary>
/// What a data directory holds, recorded in <c>distate.json</c> beside the Raft log: the log format (how entries are
/// framed; format 2 frames every entry in <see cref="Distate.Node.Envelope.EntryEnvelope"/>) and the consensus engine
/// that wrote it. A member refuses, with a message saying what to do, a directory written in another format or by
/// another engine, rather than misreading it.
/// </summary>
internal static partial class DataDirectory
{
    /// <summary>The log format this version writes and reads.</summary>
    public const int LogFormat = 2;

    /// <summary>The engine this version runs.</summary>
    public const string Engine = "distate";

    private const string FileName = "distate.json";

    /// <summary>Checks the directory (recording format and engine in a new one); throws <see cref="IOException"/> with
    /// a message an operator can act on when it cannot be used.</summary>
    public static void CheckOrInitialise(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            Check(path, Read(path));
            return;
        }

        var raft = Path.Combine(dataDir, "raft");
        if (Directory.Exists(raft) && Directory.EnumerateFileSystemEntries(raft).Any())
        {
            throw new IOException(
                $"the data dir {dataDir} holds a Raft log written by Distate 0.5 or earlier (log format 1, without entry envelopes) " +
                $"and no {FileName}; this version reads log format {LogFormat} only. Move the directory aside and start this member " +
                "empty: in a cluster it catches up from the others; a single member's keys can be copied first with " +
                "`etcdctl get \"\" --prefix -w json` against the old version.");
        }

        Directory.CreateDirectory(dataDir);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new Record(LogFormat, Engine), RecordJson.Default.Record));
        File.Move(temporary, path, overwrite: true);
    }

    private static Record Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), RecordJson.Default.Record)
                ?? throw new IOException($"{path} is empty");
        }
        catch (JsonException ex)
        {
            throw new IOException($"{path} is not valid JSON ({ex.Message}); it records the data dir's log format and engine", ex);
        }
    }

    private static void Check(string path, Record record)
    {
        if (record.Engine != Engine)
        {
            throw new IOException(
                $"the data dir was written by the '{record.Engine}' consensus engine ({path}); this member runs '{Engine}'. " +
                $"Start it with --engine {record.Engine}, or move the directory aside to start empty.");
        }

        if (record.Format != LogFormat)
        {
            throw new IOException(
                $"the data dir holds log format {record.Format} ({path}); this version of Distate reads format {LogFormat} only. " +
                "Run the version that wrote it, or move the directory aside to start empty.");
        }
    }

    /// <summary>The file's content.</summary>
    internal sealed record Record(
        [property: JsonPropertyName("log_format")] int Format,
        [property: JsonPropertyName("engine")] string Engine);

    [JsonSerializable(typeof(Record))]
    internal sealed partial class RecordJson : JsonSerializerContext;
}
