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
