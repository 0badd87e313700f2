package dev.claudebridge.mattermost;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The bot's share of the server's rate limit, learned from its headers. Mattermost limits per token or per remote
 * address (never per channel) with a GCRA bucket: {@code X-Ratelimit-Limit} is the burst plus one,
 * {@code X-Ratelimit-Remaining} what is left of it, {@code X-Ratelimit-Reset} the whole seconds until it is full
 * again. So {@code reset / (limit - remaining)} estimates the time one request takes to come back. Requests go at
 * once while the last answer said some remain (less those sent since); after that each takes the next slot, one
 * such time apart, so a burst of concurrent requests is spread instead of refused. A 429 holds every request for
 * its {@code Retry-After} (or, without one, the reset) and the slots start after it. A server without rate
 * limiting sends no headers, and nothing waits.
 */
final class RateBudget {
    private static final Duration MIN_SPACING = Duration.ofMillis(20);

    private final Clock clock;
    private Instant blockedUntil = Instant.MIN; // guarded by this
    private Optional<Duration> spacing = Optional.empty(); // guarded by this
    /** Requests the server's last answer left, less those sent since. */
    private long credits = Long.MAX_VALUE; // guarded by this
    private Instant nextSlot = Instant.MIN; // guarded by this
    private long burst = Long.MAX_VALUE; // guarded by this

    RateBudget(Clock clock) {
        this.clock = clock;
    }

    /** Completes when a request may go. */
    Mono<Void> permit() {
        return Mono.defer(() -> waitUntil(claim()));
    }

    private synchronized Instant claim() {
        Instant now = clock.instant();
        Instant at = blockedUntil.isAfter(now) ? blockedUntil : now;
        if (credits > 0 || spacing.isEmpty()) {
            credits--;
            return at;
        }
        at = nextSlot.isAfter(at) ? nextSlot : at;
        nextSlot = at.plus(spacing.get());
        return at;
    }

    /** Whether more than half of the server's burst is left: then nothing needs spreading yet. */
    synchronized boolean plenty() {
        return spacing.isEmpty() || credits > burst / 2;
    }

    /** One request back over the refill time, when the server sent its headers. */
    synchronized Optional<Duration> spacing() {
        return spacing;
    }

    void learn(HttpHeaders headers) {
        Optional<Long> limit = number(headers, "X-Ratelimit-Limit");
        Optional<Long> remaining = number(headers, "X-Ratelimit-Remaining");
        Optional<Long> reset = number(headers, "X-Ratelimit-Reset");
        if (limit.isEmpty() || remaining.isEmpty() || reset.isEmpty()) {
            return;
        }
        long used = Math.max(1, limit.get() - remaining.get());
        Duration one = Duration.ofMillis(Math.max(MIN_SPACING.toMillis(), reset.get() * 1000 / used));
        synchronized (this) {
            // The reset is whole seconds rounded up, so reset / used only ever overestimates the refill time, and by
            // far when few were used (1 of 101 used: "1 s" where 0.1 s is true): the smallest estimate is the best.
            spacing = Optional.of(spacing.filter(s -> s.compareTo(one) < 0).orElse(one));
            credits = remaining.get();
            burst = limit.get();
        }
    }

    /** A 429: nothing goes before the server says it may. */
    Duration refused(HttpHeaders headers) {
        Duration wait = number(headers, "Retry-After").or(() -> number(headers, "X-Ratelimit-Reset"))
                .map(Duration::ofSeconds).filter(d -> !d.isZero()).orElse(Duration.ofSeconds(1));
        synchronized (this) {
            hold(clock.instant().plus(wait));
            credits = 0;
            nextSlot = blockedUntil;
        }
        return wait;
    }

    private void hold(Instant until) {
        if (until.isAfter(blockedUntil)) {
            blockedUntil = until;
        }
    }

    private Mono<Void> waitUntil(Instant at) {
        Duration wait = Duration.between(clock.instant(), at);
        return wait.isNegative() || wait.isZero() ? Mono.empty() : Mono.delay(wait).then();
    }

    private static Optional<Long> number(HttpHeaders headers, String name) {
        String v = headers.get(name);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
