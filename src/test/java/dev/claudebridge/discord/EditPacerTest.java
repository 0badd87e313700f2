package dev.claudebridge.discord;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The pacing rules on Reactor's virtual time: the channel budget from headers, and the global edit budget. */
final class EditPacerTest {

    private VirtualTimeScheduler time;
    private EditPacer pacer;

    @BeforeEach
    void virtualTime() {
        time = VirtualTimeScheduler.getOrSet();
        pacer = new EditPacer(new VirtualClock(time), Optional.empty());
    }

    @AfterEach
    void realTime() {
        VirtualTimeScheduler.reset();
    }

    @Test
    void fiftyReadyChannelsShareTheGlobalEditBudget() {
        List<Long> grantedAt = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            pacer.slot("channel-" + i).subscribe(null, null, () -> grantedAt.add(time.now(TimeUnit.MILLISECONDS)));
        }
        time.advanceTimeBy(Duration.ofSeconds(3));

        assertThat(grantedAt).hasSize(50);
        List<Long> sorted = grantedAt.stream().sorted().toList();
        for (int i = 0; i + EditPacer.GLOBAL_EDITS_PER_SECOND < sorted.size(); i++) {
            // Any 1 s window holds at most GLOBAL_EDITS_PER_SECOND slots.
            assertThat(sorted.get(i + EditPacer.GLOBAL_EDITS_PER_SECOND) - sorted.get(i)).isGreaterThanOrEqualTo(1000);
        }
        assertThat(sorted.get(49)).isLessThan(1500); // and they are handed out at that rate, not later
    }

    @Test
    void aChannelOutOfBudgetWaitsItsShareWithoutHoldingBackAnother() {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.add("X-RateLimit-Remaining", "0");
        headers.add("X-RateLimit-Reset-After", "4.000");
        pacer.learn("busy", headers);
        List<String> order = new CopyOnWriteArrayList<>();
        pacer.slot("busy").subscribe(null, null, () -> order.add("busy@" + time.now(TimeUnit.MILLISECONDS)));
        pacer.slot("ready").subscribe(null, null, () -> order.add("ready@" + time.now(TimeUnit.MILLISECONDS)));
        time.advanceTimeBy(Duration.ofSeconds(5));

        assertThat(order).containsExactly("ready@0", "busy@4000");
    }

    @Test
    void remainingBudgetIsSpreadEvenlyOverTheWindow() {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.add("X-RateLimit-Remaining", "4");
        headers.add("X-RateLimit-Reset-After", "5.000");
        pacer.learn("c", headers);
        List<Long> at = new CopyOnWriteArrayList<>();
        pacer.slot("c").subscribe(null, null, () -> at.add(time.now(TimeUnit.MILLISECONDS)));
        time.advanceTimeBy(Duration.ofSeconds(2));

        assertThat(at).containsExactly(1000L);
    }

    /** A clock that reads the virtual scheduler, so the pacer's arithmetic and its delays agree. */
    private static final class VirtualClock extends Clock {
        private final VirtualTimeScheduler time;

        VirtualClock(VirtualTimeScheduler time) {
            this.time = time;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(time.now(TimeUnit.MILLISECONDS));
        }
    }
}
