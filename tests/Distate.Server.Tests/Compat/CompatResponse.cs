using System.Net;
using System.Text.Json;

namespace Distate.Server.Tests.Compat;

/// <summary>One system's answer to one case: status, raw text, and the parsed JSON when the text is JSON.</summary>
public sealed record CompatResponse(HttpStatusCode Status, string Text, JsonElement? Json)
{
    /// <summary>Reads an HTTP answer; a body that is not JSON is kept as text only.</summary>
    public static async Task<CompatResponse> ReadAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? json = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (e.g. a plain-text 404): compared as text.
        }

        return new CompatResponse(response.StatusCode, text, json);
    }
}
