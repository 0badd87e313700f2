package dev.claudebridge.agent.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A log followed again from the whole second of the last line handled hands on each line once. */
final class LogCursorTest {

    private static final Instant T = Instant.parse("2026-12-06T02:40:01.100000000Z");

    @Test
    void aReplayFromTheWholeSecondSkipsWhatWasHandledAndKeepsWhatWasNot() {
        LogCursor cursor = new LogCursor();
        List<Instant> log = List.of(T, T.plusMillis(200), T.plusMillis(200), T.plusMillis(300), T.plusMillis(300),
                T.plusMillis(1200));
        List<Instant> handled = new ArrayList<>();
        for (Instant at : log.subList(0, 4)) { // the stream drops after the first line stamped +300 ms
            if (cursor.take(at)) {
                handled.add(at);
            }
        }
        assertThat(cursor.last()).contains(T.plusMillis(300));
        assertThat(LogCursor.wholeSecond(T.plusMillis(300))).isEqualTo("2026-12-06T02:40:01Z");
        for (Instant at : log) { // the replay from 02:40:01 repeats the whole second, then goes on
            if (cursor.take(at)) {
                handled.add(at);
            }
        }
        assertThat(handled).containsExactlyElementsOf(log);
    }

    /**
     * A restarted bot: a new cursor from the mark the first one had when a turn began (stored as a {@link PodPosition})
     * hands on exactly the lines after it, though lines before it share its second and its stamp.
     */
    @Test
    void aCursorMadeFromAStoredPositionHandsOnOnlyWhatCameAfterIt() {
        LogCursor first = new LogCursor();
        List<Instant> log = List.of(T, T.plusMillis(400), T.plusMillis(400), T.plusMillis(400), T.plusMillis(700),
                T.plusMillis(1100));
        log.subList(0, 3).forEach(first::take);
        PodPosition stored = new PodPosition("claude-session-a-1f2e3d", first.mark().last(), first.mark().atLast(),
                new java.math.BigDecimal("0.0123"), 1200, 340);
        PodPosition read = PodPosition.parse(stored.format()).orElseThrow();
        assertThat(read).isEqualTo(stored);

        LogCursor second = new LogCursor(read.mark());
        List<Instant> handled = new ArrayList<>();
        for (Instant at : log) { // the replay from the whole second of the mark
            if (second.take(at)) {
                handled.add(at);
            }
        }
        assertThat(handled).containsExactlyElementsOf(log.subList(3, 6));
        assertThat(PodPosition.parse("pid=1234")).isEmpty();
        assertThat(PodPosition.parse(new PodPosition("p", java.util.Optional.empty(), 0, java.math.BigDecimal.ZERO,
                0, 0).format()).orElseThrow().mark().last()).isEmpty();
    }

    @Test
    void linesSharingAStampAreEachHandled() {
        LogCursor cursor = new LogCursor();
        assertThat(cursor.take(T)).isTrue();
        assertThat(cursor.take(T)).isTrue();
        assertThat(cursor.take(T)).isTrue();
        assertThat(cursor.take(T.minusNanos(1))).isFalse();
        assertThat(LogCursor.parse("2026-12-06T02:40:01.123456789Z")).contains(
                Instant.parse("2026-12-06T02:40:01.123456789Z"));
        assertThat(LogCursor.parse("garbage")).isEmpty();
    }
}
