global using Distate.Raft.Tests.Harness;
global using Xunit;
