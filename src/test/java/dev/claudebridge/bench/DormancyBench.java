package dev.claudebridge.bench;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.session.FakeAgents;
import dev.claudebridge.core.session.FakeChat;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.persistence.Persistence;
import dev.claudebridge.support.BotSchedulers;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;

/**
 * The memory a session without a live CLI costs: dormant (its record only) against loaded (the session object with
 * its mailbox, totals and timers, still without a CLI). N sessions are written to a real H2 store on disk, restored
 * into a registry (all dormant: nothing to do), then each thread is addressed once (all loaded). The heap is read
 * after repeated full collections before and after each step; the figures are per session.
 * <p>Run: {@code ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.bench.DormancyBench -Dargs="--n 10000"}.
 */
public final class DormancyBench {

    private static final Duration WAIT = Duration.ofMinutes(5);

    private DormancyBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length == 2 && args[0].equals("--n") ? Integer.parseInt(args[1]) : 10_000;
        Path dir = Files.createTempDirectory("dormancy-bench");
        BotSchedulers schedulers = BotSchedulers.create();
        SessionStore store = Persistence.open("r2dbc:h2:file:///" + dir.resolve("db"), schedulers.db()).block(WAIT);
        try {
            Instant at = Instant.now().minus(Duration.ofHours(2));
            Flux.range(0, n).concatMap(i -> store.saveSession(new SessionStore.SessionRecord("discord",
                    String.valueOf(900_000_000_000_000_000L + i), "a prompt of some forty characters, #" + i,
                    "300000000000000001", "200000000000000000", String.valueOf(400_000_000_000_000_000L + i % 50),
                    (i % 3 == 0 ? SessionState.ENDED : SessionState.STOPPED).name(), Optional.empty(),
                    "/srv/work/project-" + (i % 20), Optional.of(java.util.UUID.randomUUID().toString()), at, at,
                    at, 3, 1200, 3400, new BigDecimal("0.1234"), false)), 64).then().block(WAIT);

            SessionRegistry registry = new SessionRegistry(new FakeAgents(), store, new SessionSettings(
                    Path.of("/tmp"), 10, Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30), 5,
                    16), Clock.systemUTC(), SessionMetrics.NONE, AgentVersion.UNKNOWN);
            registry.attach(new FakeChat("discord"));
            long empty = usedHeap();
            int restored = registry.restore().block(WAIT);
            long dormant = usedHeap();
            int dormantCount = registry.dormantCount();
            int loadedAfterRestore = registry.loaded();
            List<Object> keep = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                keep.add(registry.get("discord", String.valueOf(900_000_000_000_000_000L + i)).orElseThrow());
            }
            long loaded = usedHeap();
            System.out.printf("sessions: %d restored: %d dormant, %d loaded; after addressing each: %d loaded%n",
                    restored, dormantCount, loadedAfterRestore, registry.loaded());
            System.out.printf("dormant: %,d bytes per session (%,d KiB for %d)%n", (dormant - empty) / n,
                    (dormant - empty) / 1024, n);
            System.out.printf("loaded:  %,d bytes per session (%,d KiB for %d)%n", (loaded - empty) / n,
                    (loaded - empty) / 1024, n);
            System.out.printf("JVM: %s %s, heap max %d MiB%n", System.getProperty("java.vm.name"),
                    System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
            keep.clear();
        } finally {
            Persistence.close(store).block(WAIT);
            schedulers.close();
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Heap in use after full collections, once it stops falling (finalisation and reference queues settle). */
    private static long usedHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(100);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(last - used) < 64 * 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }
}
