package dev.claudebridge.testkit.discord;

import java.util.concurrent.atomic.AtomicLong;

/** Ids for everything created at run time: increasing, 18 digits, never clashing with the fixed ids. */
final class Snowflakes {
    private final AtomicLong next = new AtomicLong(900_000_000_000_000_001L);

    String next() {
        return Long.toString(next.getAndIncrement());
    }
}
