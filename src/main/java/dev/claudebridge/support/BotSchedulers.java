package dev.claudebridge.support;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The named schedulers that blocking work is confined to (docs/architecture.md, style G5). Reactor's parallel scheduler stays for
 * timers and CPU work; these threads are the only ones where BlockHound lets a call block.
 *
 * @param processStart spawning a CLI (fork/exec through NuProcess blocks for a few milliseconds)
 * @param db           H2 underneath R2DBC blocks; one thread keeps its calls serialized
 * @param ops          a {@code /metrics} scrape reads every gauge (some read /proc); one at a time, off the event loop
 */
public record BotSchedulers(Scheduler processStart, Scheduler db, Scheduler ops) implements AutoCloseable {

    public static BotSchedulers create() {
        return new BotSchedulers(
                Schedulers.newBoundedElastic(4, 10_000, "cli-start", 60, true),
                Schedulers.newBoundedElastic(1, 100_000, "db", 60, true),
                Schedulers.newBoundedElastic(1, 100, "ops", 60, true));
    }

    @Override
    public void close() {
        processStart.dispose();
        db.dispose();
        ops.dispose();
    }
}
