package dev.claudebridge.core.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One session's writes to the store, applied one at a time in the order they were made (a pool of connections
 * could otherwise save an older state after a newer one). A failed write is logged and counted; the session goes on.
 */
final class StoreWriter {

    private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);

    private final Sinks.Many<Mono<Void>> writes = Sinks.many().unicast().onBackpressureBuffer();
    private final Mono<Void> done;

    /** @param failed told of each write that failed (the store-write-failures meter) */
    StoreWriter(String threadId, Runnable failed) {
        this.done = writes.asFlux()
                .concatMap(write -> write.onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", threadId).log("could not save: {}", e.toString());
                    failed.run();
                    return Mono.empty();
                }))
                .then()
                .cache();
        done.subscribe();
    }

    /** Queues a write (lazily built: it runs when its turn comes). */
    synchronized void submit(Mono<Void> write) {
        writes.tryEmitNext(write);
    }

    /** Completes when every write submitted so far is done. */
    Mono<Void> flush() {
        Sinks.One<Void> marker = Sinks.one();
        submit(Mono.fromRunnable(() -> marker.tryEmitEmpty()));
        return marker.asMono();
    }
}
