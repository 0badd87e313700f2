package dev.claudebridge.agent.process;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the CLI processes a crashed bot left behind and stops them (docs/architecture.md §3.4). A process is only
 * touched when both its pid and its OS start time match what was stored, so a stranger's process that reused the
 * pid is left alone. Blocking (it reads /proc and waits): run it on a blocking scheduler, at start-up.
 */
public final class Orphans {

    private static final Logger log = LoggerFactory.getLogger(Orphans.class);

    private Orphans() {
    }

    /** A stored child: its pid and the start time the OS reported for it. */
    public record Child(long pid, Instant startedAt) {
    }

    /** Stops each stored child that is still the same process (SIGTERM, then SIGKILL after {@code killAfter}). */
    public static List<Long> stop(List<Child> children, Duration killAfter) {
        List<Long> stopped = new ArrayList<>();
        for (Child child : children) {
            Optional<ProcessHandle> handle = ProcessHandle.of(child.pid())
                    .filter(h -> h.info().startInstant().map(at -> sameInstant(at, child.startedAt())).orElse(false));
            if (handle.isEmpty()) {
                continue;
            }
            List<ProcessHandle> tree = new ArrayList<>(handle.get().descendants().toList());
            tree.add(handle.get());
            tree.forEach(ProcessHandle::destroy);
            for (ProcessHandle h : tree) {
                try {
                    h.onExit().get(killAfter.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            }
            log.warn("stopped the leftover CLI pid {} (and {} descendants) of an earlier run", child.pid(),
                    tree.size() - 1);
            stopped.add(child.pid());
        }
        return stopped;
    }

    /** The store keeps microseconds; the OS start time is computed the same way each time it is read. */
    private static boolean sameInstant(Instant os, Instant stored) {
        return os.truncatedTo(ChronoUnit.MILLIS).equals(stored.truncatedTo(ChronoUnit.MILLIS));
    }
}
