using System.Text;
using System.Text.Json;

namespace Distate.Load;

/// <summary>
/// Finds the leader the way an etcd operator would: POST /v3/maintenance/status to each endpoint and pick the one whose
/// header.member_id equals the leader it reports. Works for etcd and Distate alike; retries until a deadline.
/// </summary>
internal static class LeaderFinder
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    /// <summary>The endpoint of the current leader; throws <see cref="TimeoutException"/> if none is found in time.</summary>
    public static async Task<Uri> FindAsync(IReadOnlyList<Uri> endpoints, TimeSpan deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var giveUp = DateTime.UtcNow + deadline;
        var lastProblem = "no endpoint answered";
        while (true)
        {
            foreach (var endpoint in endpoints)
            {
                var (isLeader, problem) = await AskAsync(http, endpoint, cancellationToken).ConfigureAwait(false);
                if (isLeader)
                {
                    return endpoint;
                }

                lastProblem = problem ?? lastProblem;
            }

            if (DateTime.UtcNow >= giveUp)
            {
                throw new TimeoutException($"no endpoint reported itself leader within {deadline.TotalSeconds:0} s ({lastProblem})");
            }

            await Task.Delay(RetryPause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="endpoint"/> is the leader, or why that could not be told.</summary>
    private static async Task<(bool IsLeader, string? Problem)> AskAsync(HttpClient http, Uri endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(endpoint, "/v3/maintenance/status"), content, cancellationToken)
                .ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (false, $"{endpoint} answered {(int)response.StatusCode}");
            }

            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var leader = root.TryGetProperty("leader", out var l) ? l.GetString() : null;
            var self = root.TryGetProperty("header", out var h) && h.TryGetProperty("member_id", out var m) ? m.GetString() : null;
            return (leader is not null && leader == self, leader is null ? $"{endpoint} knows no leader" : null);
        }
        catch (HttpRequestException ex)
        {
            return (false, $"{endpoint}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"{endpoint}: timed out");
        }
        catch (JsonException ex)
        {
            return (false, $"{endpoint}: bad status JSON ({ex.Message})");
        }
    }
}
