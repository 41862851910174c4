namespace Distate.Raft.Tests.Scenarios;

/// <summary>
/// Runs every script in Scenarios/*.txt (see <see cref="ScenarioRunner"/> for the format) and compares the produced
/// trace with the expected one written in the script. Set DISTATE_REWRITE_SCENARIOS=1 to rewrite the expected trace in
/// the source tree when a change in behaviour is intended; then read the diff. Scripts also carry "check" commands,
/// which fail the test whether or not the trace is being rewritten.
/// </summary>
public sealed class ScenarioTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Scenarios"), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void There_are_scenarios_to_run() => Assert.True(Scripts().Count >= 8, $"only {Scripts().Count} scenario scripts found");

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Scenario_produces_its_expected_trace(string script)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Scenarios", script);
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);

        var actual = ScenarioRunner.Run(expected, script);

        if (Environment.GetEnvironmentVariable("DISTATE_REWRITE_SCENARIOS") == "1")
        {
            var source = Path.Combine(PurityTests.RepositoryRoot(), "tests", "Distate.Raft.Tests", "Scenarios", script);
            File.WriteAllText(source, actual);
            return;
        }

        Assert.Equal(expected, actual);
    }
}
