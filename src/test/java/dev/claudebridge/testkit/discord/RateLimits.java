package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Discord's rate limits as Discord4J reads them: fixed windows that start with a bucket's first request, the
 * {@code X-RateLimit-*} headers on every limited response, and 429 bodies. Per-channel buckets for message create
 * and edit, plus the global per-second limit. Times come from the fake's clock.
 */
final class RateLimits {

    /** The outcome of taking a slot: the headers to send, and for a refusal the 429 body. */
    record Outcome(boolean allowed, Map<String, String> headers, ObjectNode refusal) {
    }

    private static final class Window {
        Instant start;
        int used;
        int limit; // the limit in force when the window opened: a changed setting applies from the next window
    }

    private final Map<String, Window> buckets = new HashMap<>();
    private final Window global = new Window();

    /** Takes a slot in the bucket {@code name} of {@code channelId}. */
    synchronized Outcome acquire(String name, String channelId, FakeDiscordSettings.RateLimit limit, Instant now) {
        Window window = buckets.computeIfAbsent(name + ":" + channelId, k -> new Window());
        if (roll(window, limit.window(), now)) {
            window.limit = limit.limit();
        }
        int max = window.limit;
        Duration resetAfter = Duration.between(now, window.start.plus(limit.window()));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-RateLimit-Limit", Integer.toString(max));
        headers.put("X-RateLimit-Bucket", Integer.toHexString(name.hashCode()));
        headers.put("X-RateLimit-Reset", seconds(Duration.ofMillis(now.toEpochMilli()).plus(resetAfter)));
        headers.put("X-RateLimit-Reset-After", seconds(resetAfter));
        if (window.used >= max) {
            headers.put("X-RateLimit-Remaining", "0");
            headers.put("Retry-After", Long.toString(wholeSeconds(resetAfter)));
            headers.put("X-RateLimit-Scope", "user");
            ObjectNode body = Json.object().put("message", "You are being rate limited.")
                    .put("retry_after", Double.parseDouble(seconds(resetAfter))).put("global", false);
            return new Outcome(false, headers, body);
        }
        window.used++;
        headers.put("X-RateLimit-Remaining", Integer.toString(max - window.used));
        return new Outcome(true, headers, null);
    }

    /** Takes a slot of the global limit; a refusal carries the integer {@code Retry-After} Discord4J requires. */
    synchronized Outcome acquireGlobal(int perSecond, Instant now) {
        roll(global, Duration.ofSeconds(1), now);
        if (global.used < perSecond) {
            global.used++;
            return new Outcome(true, Map.of(), null);
        }
        Duration retry = Duration.between(now, global.start.plusSeconds(1));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Retry-After", Long.toString(wholeSeconds(retry)));
        headers.put("X-RateLimit-Global", "true");
        headers.put("X-RateLimit-Scope", "global");
        ObjectNode body = Json.object().put("message", "You are being rate limited.")
                .put("retry_after", Double.parseDouble(seconds(retry))).put("global", true);
        return new Outcome(false, headers, body);
    }

    /** Opens a new window when the last one has ended; true when it did. */
    private static boolean roll(Window window, Duration length, Instant now) {
        if (window.start == null || !now.isBefore(window.start.plus(length))) {
            window.start = now;
            window.used = 0;
            return true;
        }
        return false;
    }

    /** Seconds with millisecond decimals, rounded up so a client that waits this long finds the window reset. */
    private static String seconds(Duration duration) {
        long millis = Math.max(0, (duration.toNanos() + 999_999) / 1_000_000);
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
    }

    private static long wholeSeconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }
}
