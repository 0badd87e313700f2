package dev.claudebridge.agent.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.ProcessLimits;
import dev.claudebridge.agent.protocol.CliEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Run in a JVM with the image's heap by {@code MaxLinesMemoryIT}: {@code clis} stand-in CLIs each write {@code lines}
 * stream-json lines of {@code bytes} bytes at once, through the bot's own process and decoding path, with every line
 * read as the session reads it. Prints the peak heap used and exits 0 when every line arrived (an
 * {@code OutOfMemoryError} ends the JVM with another status: {@code -XX:+ExitOnOutOfMemoryError}).
 */
public final class LineFloodMain {

    private LineFloodMain() {
    }

    public static void main(String[] args) throws Exception {
        int clis = Integer.parseInt(args[0]);
        int bytes = Integer.parseInt(args[1]);
        int lines = Integer.parseInt(args[2]);
        Path script = Path.of(args[3]);
        Scheduler starts = Schedulers.newBoundedElastic(2, 1000, "cli-start");
        ClaudeLauncher launcher = new ClaudeLauncher(new ObjectMapper(), new ProcessLimits(bytes, 256), starts,
                Clock.systemUTC(), Duration.ofSeconds(30));
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "FLOOD_BYTES", String.valueOf(bytes),
                "FLOOD_LINES", String.valueOf(lines));
        CountDownLatch arrived = new CountDownLatch(clis * lines);
        List<ClaudeSession> sessions = new ArrayList<>();
        for (int i = 0; i < clis; i++) {
            ClaudeSession session = launcher.start(CliCommand.of(script.toString(), Path.of("."), env))
                    .block(Duration.ofSeconds(30));
            session.events().subscribe(event -> {
                if (event instanceof CliEvent.Assistant) {
                    arrived.countDown();
                }
            });
            sessions.add(session);
        }
        boolean all = arrived.await(240, TimeUnit.SECONDS);
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.println("arrived " + (clis * lines - arrived.getCount()) + " of " + clis * lines
                + " lines; peak heap " + (peak >> 20) + " MiB of " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        sessions.forEach(s -> s.process().closeStdin());
        System.exit(all ? 0 : 1);
    }
}
