package dev.claudebridge.core.session;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.Exceptions;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One session's writes to the store, applied one at a time in the order they were made (a pool of connections
 * could otherwise save an older state after a newer one). A failed write is tried again with backoff
 * ({@link #RETRIES} times, from {@link #FIRST_BACKOFF}); one that still fails is logged at ERROR, counted, and marks
 * the store failing for {@code /readyz} until a later write succeeds. The session goes on either way.
 */
final class StoreWriter {

    static final int RETRIES = 4;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(4);

    private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);

    /** A write to the store, or a marker of {@link #flush()} (which says nothing of the store's health). */
    private record Write(Mono<Void> work, boolean toStore) {
    }

    private final Sinks.Many<Write> writes = Sinks.many().unicast().onBackpressureBuffer();
    private final Mono<Void> done;
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param failed told of each write that failed after its retries (the store-write-failures meter)
     * @param timers where the backoff waits
     */
    StoreWriter(String threadId, Runnable failed, StoreHealth health, Scheduler timers) {
        this.done = writes.asFlux()
                .concatMap(write -> !write.toStore() ? write.work() : write.work()
                        .retryWhen(Retry.backoff(RETRIES, FIRST_BACKOFF).maxBackoff(MAX_BACKOFF).scheduler(timers)
                                .doBeforeRetry(r -> log.atWarn().addKeyValue("thread", threadId)
                                        .log("could not save ({}); trying again", r.failure().toString())))
                        .doOnSuccess(v -> health.succeeded())
                        .onErrorResume(e -> {
                            Throwable cause = Exceptions.isRetryExhausted(e) && e.getCause() != null ? e.getCause() : e;
                            log.atError().addKeyValue("thread", threadId).log("could not save after {} tries: {}",
                                    RETRIES + 1, cause.toString());
                            health.failed();
                            failed.run();
                            return Mono.empty();
                        })
                        .doFinally(signal -> pending.decrementAndGet()))
                .then()
                .cache();
        done.subscribe();
    }

    /** Queues a write (lazily built: it runs when its turn comes). */
    void submit(Mono<Void> write) {
        pending.incrementAndGet();
        enqueue(new Write(write, true));
    }

    /** Whether every write submitted so far is done (succeeded, or given up on). */
    boolean idle() {
        return pending.get() == 0;
    }

    /** No more writes: the pipeline ends once the queued ones are done (a session that went dormant). */
    synchronized void close() {
        writes.tryEmitComplete();
    }

    private synchronized void enqueue(Write write) {
        writes.tryEmitNext(write);
    }

    /** Completes when every write submitted so far is done. */
    Mono<Void> flush() {
        Sinks.One<Void> marker = Sinks.one();
        enqueue(new Write(Mono.fromRunnable(() -> marker.tryEmitEmpty()), false));
        return marker.asMono();
    }
}
