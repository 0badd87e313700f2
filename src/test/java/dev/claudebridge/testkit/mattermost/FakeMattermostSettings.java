package dev.claudebridge.testkit.mattermost;

/**
 * What a FakeMattermost enforces, with Mattermost 11's defaults.
 *
 * @param port                  0 for a free port
 * @param maxPostSize           {@code MaxPostSize} in {@code /config/client}: the longest message, in runes (code
 *                              points); 16383 on a current schema
 * @param postEditTimeLimit     {@code ServiceSettings.PostEditTimeLimit} in seconds; -1 (the default) is no limit
 * @param rateLimit             {@code RateLimitSettings}
 * @param reconnectWindowMillis how long a dropped WebSocket's queue is kept for a reconnect with its connection id
 */
public record FakeMattermostSettings(int port, int maxPostSize, long postEditTimeLimit, RateLimit rateLimit,
        long reconnectWindowMillis) {

    /**
     * {@code RateLimitSettings}: off by default on a real server; when on, its defaults are 10 requests a second with
     * a burst of 100, keyed by the remote address ({@code VaryByRemoteAddr}) and not by user ({@code VaryByUser}).
     */
    public record RateLimit(boolean enabled, int perSec, int maxBurst, boolean varyByUser) {
        public static RateLimit off() {
            return new RateLimit(false, 10, 100, false);
        }

        public static RateLimit serverDefaults() {
            return new RateLimit(true, 10, 100, false);
        }
    }

    public static FakeMattermostSettings defaults() {
        return new FakeMattermostSettings(0, 16383, -1, RateLimit.off(), 5 * 60_000);
    }

    public FakeMattermostSettings withPort(int newPort) {
        return new FakeMattermostSettings(newPort, maxPostSize, postEditTimeLimit, rateLimit, reconnectWindowMillis);
    }

    public FakeMattermostSettings withMaxPostSize(int size) {
        return new FakeMattermostSettings(port, size, postEditTimeLimit, rateLimit, reconnectWindowMillis);
    }

    public FakeMattermostSettings withPostEditTimeLimit(long seconds) {
        return new FakeMattermostSettings(port, maxPostSize, seconds, rateLimit, reconnectWindowMillis);
    }

    public FakeMattermostSettings withRateLimit(RateLimit limit) {
        return new FakeMattermostSettings(port, maxPostSize, postEditTimeLimit, limit, reconnectWindowMillis);
    }
}
