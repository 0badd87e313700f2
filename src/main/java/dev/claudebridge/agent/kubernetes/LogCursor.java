package dev.claudebridge.agent.kubernetes;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Where the bot is in a container's log, so a log followed again hands on each line once. The kubelet stamps every
 * line (RFC 3339, nanoseconds); {@code sinceTime} is read in whole seconds, so a replay starts at the second of the
 * last line handled and repeats the lines of that second: those with an earlier stamp, and as many with the same
 * stamp as were handled, are skipped. Lines with one stamp are counted because two lines can share it.
 */
final class LogCursor {

    private Instant last = Instant.MIN;
    private int atLast;
    private int seenAtLast;

    /** Where a cursor stood: the stamp of the last line handled and how many lines with that stamp were. */
    record Mark(Optional<Instant> last, int atLast) {
    }

    LogCursor() {
    }

    /** A cursor that has handled everything up to {@code mark} (a replay from its second is due). */
    LogCursor(Mark mark) {
        mark.last().ifPresent(at -> {
            last = at;
            atLast = mark.atLast();
            seenAtLast = 0;
        });
    }

    synchronized Mark mark() {
        return new Mark(last.equals(Instant.MIN) ? Optional.empty() : Optional.of(last), atLast);
    }

    /** Whether the line stamped {@code at} is new (then it counts as handled); one thread at a time. */
    synchronized boolean take(Instant at) {
        if (at.isBefore(last)) {
            return false;
        }
        if (at.equals(last)) {
            if (seenAtLast < atLast) {
                seenAtLast++;
                return false; // a replay of a line handled before
            }
            atLast++;
            seenAtLast = atLast;
            return true;
        }
        last = at;
        atLast = 1;
        seenAtLast = 1;
        return true;
    }

    /** The stamp of the last line handled; starting a replay from here. */
    synchronized Optional<Instant> last() {
        if (last.equals(Instant.MIN)) {
            return Optional.empty();
        }
        seenAtLast = 0; // the replay will show this stamp's lines again
        return Optional.of(last);
    }

    /** {@code sinceTime} as the API server reads it: whole seconds, RFC 3339. */
    static String wholeSecond(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static Optional<Instant> parse(String stamp) {
        try {
            return Optional.of(Instant.parse(stamp));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
