using Distate.Server.Configuration;

namespace Distate.Server.Tests;

/// <summary>Proves the etcd-style flags and DISTATE_* variables are read, defaulted and refused with clear messages.</summary>
public sealed class ServerOptionsParserTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void No_flags_give_a_single_member_named_default_on_2379_with_data_in_dot_data()
    {
        var options = ServerOptionsParser.Parse([], NoEnvironment);
        Assert.Equal("default", options.Name);
        Assert.Equal("./data", options.DataDir);
        Assert.Equal(new Uri("http://127.0.0.1:2379"), options.ListenClientUrls[0]);
        Assert.Equal(new Uri("http://127.0.0.1:2380"), options.InitialCluster["default"]);
        Assert.Equal(10, options.ElectionTimeoutTicks);
    }

    [Fact]
    public void Flags_in_both_spellings_and_the_initial_cluster_are_read()
    {
        var options = ServerOptionsParser.Parse(
            ["--name", "n2", "--data-dir=/tmp/x", "--initial-cluster", "n1=http://127.0.0.1:2380,n2=http://127.0.0.2:2380",
             "--initial-advertise-peer-urls", "http://127.0.0.2:2380", "--heartbeat-interval", "50", "--election-timeout=500"],
            NoEnvironment);
        Assert.Equal("n2", options.Name);
        Assert.Equal("/tmp/x", options.DataDir);
        Assert.Equal(2, options.InitialCluster.Count);
        Assert.Equal(new Uri("http://127.0.0.2:2380"), options.InitialCluster["n2"]);
        Assert.Equal(10, options.ElectionTimeoutTicks);
    }

    [Fact]
    public void Environment_variables_stand_in_for_missing_flags_but_flags_win()
    {
        var environment = new Dictionary<string, string> { ["DISTATE_DATA_DIR"] = "/from/env", ["DISTATE_NAME"] = "envname" };
        var options = ServerOptionsParser.Parse(["--name", "flagname"], key => environment.GetValueOrDefault(key));
        Assert.Equal("/from/env", options.DataDir);
        Assert.Equal("flagname", options.Name);
    }

    [Theory]
    [InlineData(new[] { "--bogus", "1" }, "unknown flag --bogus")]
    [InlineData(new[] { "--heartbeat-interval", "abc" }, "--heartbeat-interval: 'abc' is not a whole number")]
    [InlineData(new[] { "--listen-client-urls", "ftp://x" }, "is not an http URL with a port")]
    [InlineData(new[] { "--initial-cluster-state", "maybe" }, "--initial-cluster-state must be 'new' or 'existing'")]
    [InlineData(new[] { "--name", "x", "--initial-cluster", "y=http://127.0.0.1:2380" }, "must name this member ('x')")]
    [InlineData(new[] { "--election-timeout", "200" }, "--election-timeout must be at least 5 heartbeat intervals")]
    [InlineData(new[] { "--name" }, "--name needs a value")]
    public void Bad_flags_are_refused_naming_the_flag(string[] args, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => ServerOptionsParser.Parse(args, NoEnvironment));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
