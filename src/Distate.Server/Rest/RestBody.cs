namespace Distate.Server.Rest;

/// <summary>Reads a request body as a value, refusing (413) anything over the store's value limit before buffering it.</summary>
internal static class RestBody
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>The whole body, at most <paramref name="maxBytes"/> long.</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(request.ContentLength.Value, maxBytes);
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : ChunkBytes);
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(buffer.Length + read, maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static RestRequestException TooLarge(long bytes, int maxBytes) =>
        RestErrors.TooLarge($"the value is too large: at least {bytes} bytes, and the limit is {maxBytes} bytes");
}
