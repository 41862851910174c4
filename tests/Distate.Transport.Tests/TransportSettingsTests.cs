using System.Net;
using Distate.Raft;

namespace Distate.Transport.Tests;

/// <summary>Proves bad settings are refused at startup with the name of the setting to fix.</summary>
public sealed class TransportSettingsTests
{
    private static readonly TransportSettings Valid = new()
    {
        LocalId = new NodeId(1),
        ClusterId = 7,
        AdvertisedEndpoint = new IPEndPoint(IPAddress.Loopback, 2380),
        ListenEndpoint = new IPEndPoint(IPAddress.Any, 2380),
    };

    [Fact]
    public void Defaults_are_valid() => Valid.Validate();

    [Fact]
    public void Each_bad_setting_is_named()
    {
        AssertNamed(Valid with { LocalId = NodeId.None }, "LocalId");
        AssertNamed(Valid with { ClusterId = 0 }, "ClusterId");
        AssertNamed(Valid with { AdvertisedEndpoint = new IPEndPoint(IPAddress.Any, 1) }, "AdvertisedEndpoint");
        AssertNamed(Valid with { MaxQueuedMessagesPerPeer = 0 }, "MaxQueuedMessagesPerPeer");
        AssertNamed(Valid with { MaxIncomingMessages = -1 }, "MaxIncomingMessages");
        AssertNamed(Valid with { MaxFrameBytes = 10 }, "MaxFrameBytes");
        AssertNamed(Valid with { MaxBatchBytes = Valid.MaxFrameBytes + 1 }, "MaxBatchBytes");
        AssertNamed(Valid with { MaxInboundConnections = 0 }, "MaxInboundConnections");
        AssertNamed(Valid with { ReconnectBaseDelay = TimeSpan.Zero }, "ReconnectBaseDelay");
        AssertNamed(Valid with { ReconnectMaxDelay = TimeSpan.FromMilliseconds(1) }, "ReconnectMaxDelay");
        AssertNamed(Valid with { ConnectTimeout = TimeSpan.Zero }, "ConnectTimeout");
        AssertNamed(Valid with { WriteTimeout = TimeSpan.Zero }, "WriteTimeout");
        AssertNamed(Valid with { HandshakeTimeout = TimeSpan.Zero }, "HandshakeTimeout");
        AssertNamed(Valid with { StableConnectionTime = TimeSpan.Zero }, "StableConnectionTime");
    }

    private static void AssertNamed(TransportSettings settings, string name)
    {
        var exception = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
    }
}
