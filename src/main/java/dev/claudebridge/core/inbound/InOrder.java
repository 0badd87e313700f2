package dev.claudebridge.core.inbound;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Steps per key in the order they were given, where a step may take a while (a message whose files are fetched
 * before it becomes a prompt): a later step waits for the earlier ones of its key, so a thread's prompts reach its
 * session in the order they were sent. A step with nothing before it runs at once, as if this were not here.
 */
final class InOrder {

    private static final Logger log = LoggerFactory.getLogger(InOrder.class);

    /** Per key, the end of its last step; removed when that step ends and none came after it. */
    private final Map<String, Mono<Void>> tails = new ConcurrentHashMap<>();

    /**
     * {@code step} after every step given before for {@code key}; completes when it has run. A failed step is logged
     * and does not hold up the next. Subscribe to it once (the adapters do, for every event).
     */
    Mono<Void> then(String key, Mono<Void> step) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> done = Sinks.empty();
            Mono<Void> mine = done.asMono();
            Mono<Void> before = tails.put(key, mine);
            Mono<Void> run = before == null ? step : before.then(step);
            return run
                    .onErrorResume(e -> {
                        log.warn("a step for {} failed: {}", key, e.toString());
                        return Mono.empty();
                    })
                    .doFinally(signal -> {
                        tails.remove(key, mine);
                        done.tryEmitEmpty();
                    });
        });
    }

    /** Keys with a step under way (for tests: none once everything has run). */
    int pending() {
        return tails.size();
    }
}
