package dev.claudebridge.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** A thread's messages reach its session in the order sent, even when an earlier one waits for its files. */
final class InOrderTest {

    private final InOrder order = new InOrder();
    private final List<String> offered = new CopyOnWriteArrayList<>();

    private Mono<Void> offer(String what) {
        return Mono.fromRunnable(() -> offered.add(what));
    }

    @Test
    void aLaterStepWaitsForAnEarlierSlowOneOfItsKeyOnly() {
        Sinks.Empty<Void> filesSaved = Sinks.empty();
        order.then("t1", filesSaved.asMono().then(offer("t1 with files"))).subscribe();
        order.then("t1", offer("t1 text")).subscribe();
        order.then("t2", offer("t2 text")).subscribe();

        assertThat(offered).containsExactly("t2 text");
        filesSaved.tryEmitEmpty();
        assertThat(offered).containsExactly("t2 text", "t1 with files", "t1 text");
        assertThat(order.pending()).isZero();
    }

    @Test
    void aStepWithNothingBeforeItRunsAtOnce() {
        order.then("t1", offer("first")).subscribe();
        assertThat(offered).containsExactly("first");
        assertThat(order.pending()).isZero();
    }

    @Test
    void aFailedStepDoesNotHoldUpTheNext() {
        Sinks.Empty<Void> failing = Sinks.empty();
        order.then("t1", failing.asMono().then(offer("never"))).subscribe();
        order.then("t1", offer("next")).subscribe();
        failing.tryEmitError(new IllegalStateException("the download broke"));
        await().atMost(Duration.ofSeconds(5)).until(() -> offered.contains("next"));
        assertThat(offered).containsExactly("next");
        assertThat(order.pending()).isZero();
    }
}
