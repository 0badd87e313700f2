package dev.claudebridge.mattermost;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * When a live reply's next edit may go. Mattermost's limit is the bot's (per token or address), not a channel's,
 * so the budget is shared: edits together take at most half the rate the server's headers show
 * ({@link RateBudget#spacing()}) once less than half of the server's burst is left, which leaves the rest to posts,
 * reactions and the inbound side's reads. A server
 * without rate limiting sends no headers; then only the per-thread spacing applies. Each thread's edits are at
 * least {@link #THREAD_INTERVAL} apart, counted from the last edit's answer, so slots asked for while no edit is
 * made all complete at once.
 */
final class EditPacing {
    /** A live reply needs no more than about one frame a second to read as live. */
    static final Duration THREAD_INTERVAL = Duration.ofSeconds(1);

    private final Clock clock;
    private final RateBudget budget;
    private final Optional<Duration> fixed;
    private final Map<String, Instant> nextEdit = new ConcurrentHashMap<>();
    private Instant nextGlobal = Instant.MIN; // guarded by this

    EditPacing(Clock clock, RateBudget budget) {
        this(clock, budget, Optional.empty());
    }

    /**
     * @param fixed {@code EDIT_INTERVAL} when it is a duration: each thread's edits that far apart, and no share of
     *              the server's budget (the comparison the benchmark makes)
     */
    EditPacing(Clock clock, RateBudget budget, Optional<Duration> fixed) {
        this.clock = clock;
        this.budget = budget;
        this.fixed = fixed;
    }

    Mono<Void> slot(String threadId) {
        return Mono.defer(() -> waitUntil(nextEdit.get(threadId)))
                .then(Mono.defer(() -> waitUntil(claimGlobal())));
    }

    /** An edit in this thread was answered. */
    void edited(String threadId) {
        nextEdit.put(threadId, clock.instant().plus(fixed.orElse(THREAD_INTERVAL)));
    }

    private synchronized Instant claimGlobal() {
        if (fixed.isPresent() || budget.plenty()) {
            return null; // while more than half the burst is left, each thread's own interval is pace enough
        }
        Duration spacing = budget.spacing().map(s -> s.multipliedBy(2)).orElse(Duration.ZERO);
        if (spacing.isZero()) {
            return null;
        }
        Instant now = clock.instant();
        Instant at = nextGlobal.isAfter(now) ? nextGlobal : now;
        nextGlobal = at.plus(spacing);
        return at;
    }

    private Mono<Void> waitUntil(Instant at) {
        if (at == null) {
            return Mono.empty();
        }
        Duration wait = Duration.between(clock.instant(), at);
        return wait.isNegative() || wait.isZero() ? Mono.empty() : Mono.delay(wait).then();
    }
}
