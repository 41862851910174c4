using System.Buffers;

namespace Distate.Server.Http;

/// <summary>
/// Reads a whole request body, bounded in size and time, for both APIs and the forwarder. Every way a body can fail is
/// the client's and comes out as a <see cref="BadHttpRequestException"/> with a 4xx status, as Kestrel's own body errors
/// do, so one handler (<see cref="ClientErrorsMiddleware"/>, or an API's own) answers them all: 413 over
/// <c>maxBytes</c>, 408 when the body has not arrived by the deadline (Kestrel raises 408 itself below its minimum data
/// rate), 400 when it ends before its Content-Length.
/// </summary>
internal static class RequestBody
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>The whole body, at most <paramref name="maxBytes"/> long, read before <paramref name="deadline"/>.</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken deadline)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(request.ContentLength.Value, maxBytes);
        }

        try
        {
            if (request.ContentLength is { } length)
            {
                // The usual case: read straight into a buffer of the announced size. Kestrel ends the body at
                // Content-Length and fails one that ends early.
                var body = new byte[length];
                await request.Body.ReadExactlyAsync(body, deadline).ConfigureAwait(false);
                return body;
            }

            return await ReadChunkedAsync(request.Body, maxBytes, deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Nothing of the cluster was waited for yet: the time went on the client's upload.
            throw TooSlow(ex);
        }
    }

    /// <summary>What a client is told about a refused body: Kestrel's minimum-rate 408 gets the same sentence as ours.</summary>
    public static string Describe(BadHttpRequestException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.StatusCode == StatusCodes.Status408RequestTimeout ? TooSlowMessage : refusal.Message;
    }

    private static async Task<byte[]> ReadChunkedAsync(Stream source, int maxBytes, CancellationToken deadline)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, deadline).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw TooLarge(buffer.Length + read, maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private const string TooSlowMessage =
        "the request body arrived too slowly: the client did not send it within the request timeout (--request-timeout) " +
        "or fell below the minimum upload rate; nothing was applied";

    private static BadHttpRequestException TooLarge(long bytes, int maxBytes) =>
        new($"the request body is too large: at least {bytes} bytes, and the limit is {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);

    private static BadHttpRequestException TooSlow(Exception cause) => new(TooSlowMessage, StatusCodes.Status408RequestTimeout, cause);
}
