namespace Distate.Server.Tests;

/// <summary>An open watch stream in a test; disposing it closes the connection, as a client going away does.</summary>
public sealed record OpenWatchStream(HttpRequestMessage Request, HttpResponseMessage Response, SseReader Reader) : IDisposable
{
    public void Dispose()
    {
        Reader.Dispose();
        Response.Dispose();
        Request.Dispose();
    }
}
