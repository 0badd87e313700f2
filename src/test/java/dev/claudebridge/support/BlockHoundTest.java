package dev.claudebridge.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** BlockHound is installed for every test by its JUnit platform listener; this proves it is on. */
final class BlockHoundTest {

    @Test
    void blockingOnAParallelThreadIsCaught() {
        Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return 1;
                })
                .subscribeOn(Schedulers.parallel())
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BlockingOperationError.class))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void blockingOnABoundedElasticThreadIsAllowed() {
        Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return 1;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .as(StepVerifier::create)
                .expectNext(1)
                .verifyComplete();
    }
}
