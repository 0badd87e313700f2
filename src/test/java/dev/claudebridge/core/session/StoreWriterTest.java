package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A failed store write is tried again with backoff, in order; one that keeps failing is counted and said to readiness. */
final class StoreWriterTest {

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final AtomicInteger failures = new AtomicInteger();
    private final StoreHealth health = new StoreHealth();
    private final StoreWriter writer = new StoreWriter("t1", failures::incrementAndGet, health, time);
    private final List<String> saved = new CopyOnWriteArrayList<>();

    /** A write that fails its first {@code failing} tries, then saves {@code what}. */
    private Mono<Void> write(String what, int failing) {
        AtomicInteger tries = new AtomicInteger();
        return Mono.defer(() -> tries.incrementAndGet() <= failing
                ? Mono.error(new IllegalStateException("store down"))
                : Mono.fromRunnable(() -> saved.add(what)));
    }

    @Test
    void aWriteThatFailsForAWhileIsSavedAndTheNextWaitsForIt() {
        writer.submit(write("first", 3));
        writer.submit(write("second", 0));
        assertThat(saved).isEmpty();

        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(saved).containsExactly("first", "second");
        assertThat(failures).hasValue(0);
        assertThat(health.failing()).isFalse();
    }

    @Test
    void aWriteThatKeepsFailingIsCountedOnceMarksTheStoreUntilALaterWriteSucceeds() {
        writer.submit(write("lost", Integer.MAX_VALUE));
        time.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(failures).as("still retrying").hasValue(0);

        time.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(failures).hasValue(1);
        assertThat(health.failing()).isTrue();

        writer.flush().block(Duration.ofSeconds(5));
        assertThat(health.failing()).as("a flush marker is no write").isTrue();

        writer.submit(write("later", 0));
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(saved).containsExactly("later");
        assertThat(health.failing()).isFalse();
    }
}
