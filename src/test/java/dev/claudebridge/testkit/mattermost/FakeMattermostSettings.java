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
 * @param maxFileSize           {@code FileSettings.MaxFileSize} in bytes, in {@code /config/client}: the largest file
 *                              {@code POST /files} takes; 100 MiB (104857600) by default
 */
public record FakeMattermostSettings(int port, int maxPostSize, long postEditTimeLimit, RateLimit rateLimit,
        long reconnectWindowMillis, long maxFileSize) {

    public static final long DEFAULT_MAX_FILE_SIZE = 104_857_600;

    public FakeMattermostSettings(int port, int maxPostSize, long postEditTimeLimit, RateLimit rateLimit,
            long reconnectWindowMillis) {
        this(port, maxPostSize, postEditTimeLimit, rateLimit, reconnectWindowMillis, DEFAULT_MAX_FILE_SIZE);
    }

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
        return new FakeMattermostSettings(newPort, maxPostSize, postEditTimeLimit, rateLimit, reconnectWindowMillis,
                maxFileSize);
    }

    public FakeMattermostSettings withMaxPostSize(int size) {
        return new FakeMattermostSettings(port, size, postEditTimeLimit, rateLimit, reconnectWindowMillis,
                maxFileSize);
    }

    public FakeMattermostSettings withPostEditTimeLimit(long seconds) {
        return new FakeMattermostSettings(port, maxPostSize, seconds, rateLimit, reconnectWindowMillis,
                maxFileSize);
    }

    public FakeMattermostSettings withRateLimit(RateLimit limit) {
        return new FakeMattermostSettings(port, maxPostSize, postEditTimeLimit, limit, reconnectWindowMillis,
                maxFileSize);
    }

    public FakeMattermostSettings withMaxFileSize(long bytes) {
        return new FakeMattermostSettings(port, maxPostSize, postEditTimeLimit, rateLimit, reconnectWindowMillis,
                bytes);
    }
}
