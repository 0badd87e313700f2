package dev.claudebridge.core.actor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MailboxTest {

    private static final int SENDERS = 8;
    private static final int PER_SENDER = 10_000;

    record Msg(int sender, int seq) {
    }

    static Stream<Arguments> drainSchedulers() {
        return Stream.of(Arguments.of("parallel", Schedulers.parallel()),
                Arguments.of("immediate", Schedulers.immediate()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drainSchedulers")
    void eightSendersAtOnceLoseNothingAndKeepEachSendersOrder(String label, Scheduler scheduler) throws Exception {
        List<Msg> seen = new ArrayList<>(); // deliberately not thread-safe: a concurrent drain would corrupt it
        AtomicInteger inHandler = new AtomicInteger();
        AtomicInteger maxInHandler = new AtomicInteger();
        CountDownLatch allHandled = new CountDownLatch(SENDERS * PER_SENDER);
        Mailbox<Msg> mailbox = new Mailbox<>("test", scheduler, msg -> {
            maxInHandler.accumulateAndGet(inHandler.incrementAndGet(), Math::max);
            seen.add(msg);
            inHandler.decrementAndGet();
            allHandled.countDown();
        });
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger refused = new AtomicInteger();
        List<Thread> senders = IntStream.range(0, SENDERS).mapToObj(s -> Thread.ofPlatform().start(() -> {
            awaitQuietly(start);
            for (int i = 0; i < PER_SENDER; i++) {
                if (!mailbox.send(new Msg(s, i))) {
                    refused.incrementAndGet();
                }
            }
        })).toList();
        start.countDown();
        for (Thread t : senders) {
            t.join();
        }
        assertThat(allHandled.await(20, TimeUnit.SECONDS)).as("all handled").isTrue();

        assertThat(refused).hasValue(0);
        assertThat(maxInHandler).hasValue(1);
        assertThat(seen).hasSize(SENDERS * PER_SENDER);
        for (int s = 0; s < SENDERS; s++) {
            int sender = s;
            assertThat(seen.stream().filter(m -> m.sender() == sender).mapToInt(Msg::seq).toArray())
                    .as("sender %d in order", s)
                    .containsExactly(IntStream.range(0, PER_SENDER).toArray());
        }
        assertThat(mailbox.size()).isZero();
    }

    @Test
    void aThousandIdleMailboxesHoldNoThreads() throws Exception {
        Scheduler scheduler = Schedulers.newParallel("mailbox-flat", 4);
        try {
            // Warm up: let every thread of the scheduler exist before counting.
            CountDownLatch warm = new CountDownLatch(16);
            for (int i = 0; i < 16; i++) {
                scheduler.schedule(warm::countDown);
            }
            assertThat(warm.await(5, TimeUnit.SECONDS)).isTrue();
            int before = ManagementFactory.getThreadMXBean().getThreadCount();

            CountDownLatch drained = new CountDownLatch(1_000);
            List<Mailbox<String>> mailboxes = IntStream.range(0, 1_000)
                    .mapToObj(i -> new Mailbox<String>("m" + i, scheduler, msg -> drained.countDown()))
                    .toList();
            mailboxes.forEach(m -> assertThat(m.send("hello")).isTrue());
            assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
            int after = ManagementFactory.getThreadMXBean().getThreadCount();

            assertThat(after - before).as("threads before %d, after %d", before, after).isLessThan(5);
            assertThat(mailboxes).allSatisfy(m -> assertThat(m.size()).isZero());
        } finally {
            scheduler.dispose();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drainSchedulers")
    void aThrowingHandlerDoesNotStopTheLoop(String label, Scheduler scheduler) throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(10);
        Mailbox<Integer> mailbox = new Mailbox<>("throwing", scheduler, n -> {
            seen.add(n);
            done.countDown();
            if (n % 2 == 0) {
                throw new IllegalStateException("boom " + n);
            }
        });
        for (int i = 0; i < 10; i++) {
            assertThat(mailbox.send(i)).isTrue();
        }
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drainSchedulers")
    void aMessageSentFromTheHandlerComesAfterTheCurrentOneNeverNested(String label, Scheduler scheduler)
            throws Exception {
        List<String> trace = new CopyOnWriteArrayList<>();
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger maxDepth = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(3);
        Mailbox<String>[] self = new Mailbox[1];
        self[0] = new Mailbox<>("reentrant", scheduler, msg -> {
            maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
            trace.add("start " + msg);
            if (msg.equals("first")) {
                assertThat(self[0].send("second")).isTrue();
                assertThat(self[0].send("third")).isTrue();
            }
            trace.add("end " + msg);
            depth.decrementAndGet();
            done.countDown();
        });
        self[0].send("first");
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(trace).containsExactly("start first", "end first", "start second", "end second",
                "start third", "end third");
        assertThat(maxDepth).hasValue(1);
    }

    @Test
    void afterCloseSendsAreRefusedAndAcceptedOnesStillDrain() throws Exception {
        Scheduler blocking = Schedulers.newBoundedElastic(1, 100, "mailbox-close"); // may block: not NonBlocking
        try {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            Mailbox<Integer> mailbox = new Mailbox<>("close", blocking, n -> {
                if (n == 0) {
                    entered.countDown();
                    awaitQuietly(release);
                }
                seen.add(n);
                done.countDown();
            });
            assertThat(mailbox.send(0)).isTrue();
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(mailbox.send(1)).isTrue();
            assertThat(mailbox.send(2)).isTrue();

            mailbox.close();

            assertThat(mailbox.isClosed()).isTrue();
            assertThat(mailbox.send(3)).isFalse();
            release.countDown();
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).containsExactly(0, 1, 2);
            assertThat(mailbox.send(4)).isFalse();
        } finally {
            blocking.dispose();
        }
    }

    @Test
    void theCapacityRefusesTheMessageThatWouldWaitBeyondIt() throws Exception {
        Scheduler blocking = Schedulers.newBoundedElastic(1, 100, "mailbox-capacity");
        try {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            CountDownLatch drained = new CountDownLatch(4);
            CountDownLatch done = new CountDownLatch(5);
            Mailbox<Integer> mailbox = new Mailbox<>("bounded", blocking, 3, n -> {
                if (n == 0) {
                    entered.countDown();
                    awaitQuietly(release);
                }
                seen.add(n);
                drained.countDown();
                done.countDown();
            });
            assertThat(mailbox.send(0)).isTrue();
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue(); // 0 is being handled, nothing waits
            assertThat(mailbox.size()).isZero();
            assertThat(mailbox.send(1)).isTrue();
            assertThat(mailbox.send(2)).isTrue();
            assertThat(mailbox.send(3)).isTrue();
            assertThat(mailbox.size()).isEqualTo(3);

            assertThat(mailbox.send(99)).as("a 4th waiting message").isFalse();
            assertThat(mailbox.size()).isEqualTo(3);

            release.countDown();
            awaitQuietly(drained);
            assertThat(mailbox.send(4)).as("room again once drained").isTrue();
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).containsExactly(0, 1, 2, 3, 4);
        } finally {
            blocking.dispose();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
