package dev.claudebridge.testkit.mattermost;

import java.util.HashMap;
import java.util.Map;

/**
 * The server's limiter: the GCRA of the {@code throttled} library that {@code app/ratelimit.go} wraps, with
 * {@code MaxRate = PerSec} and {@code MaxBurst}. Each request advances the key's theoretical arrival time by one
 * emission interval; it is refused while that time is more than the burst's tolerance ahead of now. The headers are
 * the library's: {@code X-RateLimit-Limit = burst + 1}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset}
 * (whole seconds, rounded up, until the key is back to a full burst) and, when refused, {@code Retry-After}.
 */
final class RateLimiter {

    /** The outcome of one request. */
    record Result(boolean limited, int limit, int remaining, long resetAfterMillis, long retryAfterMillis) {
    }

    private final long emissionMicros;
    private final long toleranceMicros;
    private final int limit;
    private final Map<String, Long> arrival = new HashMap<>(); // guarded by this

    RateLimiter(int perSec, int maxBurst) {
        this.emissionMicros = 1_000_000L / perSec;
        this.toleranceMicros = emissionMicros * maxBurst;
        this.limit = maxBurst + 1;
    }

    synchronized Result take(String key, long nowMicros) {
        long tat = Math.max(arrival.getOrDefault(key, nowMicros), nowMicros);
        long newTat = tat + emissionMicros;
        long allowAt = newTat - toleranceMicros;
        if (nowMicros < allowAt) {
            return new Result(true, limit, 0, (tat - nowMicros) / 1000, (allowAt - nowMicros) / 1000);
        }
        arrival.put(key, newTat);
        int remaining = (int) ((nowMicros - allowAt) / emissionMicros);
        return new Result(false, limit, remaining, (newTat - nowMicros) / 1000, -1);
    }
}
