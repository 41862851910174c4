using Distate.Server.Node;

namespace Distate.Server.Tests;

/// <summary>
/// Proves a data dir records its log format and engine, and that a member refuses, with a message saying what to do,
/// a directory written in the old format (entries without envelopes) or by another engine, instead of misreading it.
/// </summary>
public sealed class DataDirectoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distate-datadir-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_new_directory_records_format_and_engine_and_is_accepted_again()
    {
        DataDirectory.CheckOrInitialise(_dir);

        var recorded = File.ReadAllText(Path.Combine(_dir, "distate.json"));
        Assert.Contains($"\"log_format\":{DataDirectory.LogFormat}", recorded, StringComparison.Ordinal);
        Assert.Contains("\"engine\":\"distate\"", recorded, StringComparison.Ordinal);
        DataDirectory.CheckOrInitialise(_dir);
    }

    [Fact]
    public void A_log_written_before_entry_envelopes_is_refused_with_what_to_do()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "raft"));
        File.WriteAllText(Path.Combine(_dir, "raft", "log.0"), "old");

        var refused = Assert.Throws<IOException>(() => DataDirectory.CheckOrInitialise(_dir));

        Assert.Contains("log format 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Move the directory aside", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "distate.json")));
    }

    [Theory]
    [InlineData("{\"log_format\":2,\"engine\":\"dotnext\"}", "--engine dotnext")]
    [InlineData("{\"log_format\":3,\"engine\":\"distate\"}", "log format 3")]
    [InlineData("{not json", "not valid JSON")]
    public void A_directory_of_another_engine_or_format_is_refused(string recorded, string expected)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "distate.json"), recorded);

        var refused = Assert.Throws<IOException>(() => DataDirectory.CheckOrInitialise(_dir));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }
}
