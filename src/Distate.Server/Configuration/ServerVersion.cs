using System.Reflection;

namespace Distate.Server.Configuration;

/// <summary>What version this member is and which etcd API it speaks (GET /version, --version, maintenance status).</summary>
public static class ServerVersion
{
    /// <summary>The etcd API version Distate is compatible with; etcd clients check this.</summary>
    public const string EtcdApi = "3.4.0";

    /// <summary>Distate's own version (the assembly's informational version, without build metadata).</summary>
    public static string Distate { get; } =
        (typeof(ServerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
