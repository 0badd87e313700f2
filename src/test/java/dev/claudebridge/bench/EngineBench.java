package dev.claudebridge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.ProcessLimits;
import dev.claudebridge.agent.protocol.CliEventDecoder;
import dev.claudebridge.agent.session.ClaudeLauncher;
import dev.claudebridge.agent.session.ClaudeSession;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The figures of the CLI engine issue, each beside its comparison in the same run:
 * JVM threads with 1 and 200 sessions (NuProcess vs. java.lang.Process with a reader thread per pipe), decode
 * throughput (our decoder vs. Jackson's tree parse alone), and the time from a CLI's death to its ExitStatus
 * (ours vs. java.lang.Process.onExit()). The CLI here is a shell script (labelled "fake"), as the real one needs
 * about 160 MB per process.
 * <p>Run: {@code ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.bench.EngineBench} (decode on one core:
 * prefix with {@code taskset -c 0}).
 */
public final class EngineBench {

    private static final Path SCRIPTS = Path.of("src", "test", "resources", "fakecli").toAbsolutePath();
    private static final Path TRANSCRIPTS = Path.of("src", "test", "resources", "transcripts", "cli-2.1.197");

    private EngineBench() {
    }

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        Scheduler start = Schedulers.newBoundedElastic(4, 10_000, "cli-start");
        ClaudeLauncher launcher = new ClaudeLauncher(new ObjectMapper(), ProcessLimits.DEFAULT, start,
                Clock.systemUTC(), Duration.ofSeconds(10));
        Path work = Files.createTempDirectory("bench");
        out.append("### JVM threads with N concurrent sessions (fake CLI: chatty.sh)\n\n")
                .append("| N | NuProcess engine (ours) | java.lang.Process + 2 reader threads each |\n|---|---|---|\n");
        for (int n : new int[] {1, 200}) {
            out.append("| ").append(n).append(" | ").append(threadsWithSessions(launcher, work, n))
                    .append(" | ").append(threadsWithPlainProcesses(work, n)).append(" |\n");
        }
        out.append("\n### Decode throughput of recorded stream-json lines (one thread)\n\n")
                .append(decodeThroughput())
                .append("\n### CLI death to surfaced ExitStatus (fake CLI killed with SIGKILL, 100 samples)\n\n")
                .append(deathLatency(launcher, work));
        start.dispose();
        System.out.println(out);
        Files.createDirectories(Path.of("target", "bench"));
        Files.writeString(Path.of("target", "bench", "engine.md"), out);
        System.exit(0);
    }

    private static CliCommand chatty(Path work) {
        return CliCommand.of(SCRIPTS.resolve("chatty.sh").toString(), work, Map.of("PATH", System.getenv("PATH")));
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** N sessions alive at once, each answering a prompt; the thread count while all are open. */
    private static int threadsWithSessions(ClaudeLauncher launcher, Path work, int n) {
        List<ClaudeSession> sessions = Flux.range(0, n)
                .flatMap(i -> launcher.start(chatty(work)), 16)
                .collectList().block(Duration.ofMinutes(2));
        Flux.fromIterable(sessions).flatMap(s -> s.send("hello"), 64).blockLast(Duration.ofMinutes(2));
        int threads = threads();
        Flux.fromIterable(sessions)
                .flatMap(s -> s.stop(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(1)), 64)
                .blockLast(Duration.ofMinutes(2));
        return threads;
    }

    private static int threadsWithPlainProcesses(Path work, int n) throws IOException, InterruptedException {
        List<Process> processes = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Process p = new ProcessBuilder(SCRIPTS.resolve("chatty.sh").toString()).directory(work.toFile()).start();
            processes.add(p);
            readers.add(Thread.ofPlatform().start(() -> drain(p.getInputStream())));
            readers.add(Thread.ofPlatform().start(() -> drain(p.getErrorStream())));
            p.getOutputStream().write("{}\n".getBytes());
            p.getOutputStream().flush();
        }
        int threads = threads();
        for (Process p : processes) {
            p.getOutputStream().close();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (Thread t : readers) {
            t.join(10_000);
        }
        return threads;
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static String decodeThroughput() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(TRANSCRIPTS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl") && !p.toString().endsWith(".annotated.jsonl")
                    && !p.toString().endsWith(".requests.jsonl")).sorted().toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        long bytes = lines.stream().mapToLong(String::length).sum();
        ObjectMapper mapper = new ObjectMapper();
        CliEventDecoder decoder = new CliEventDecoder(mapper);
        double ours = rate(lines, decoder::decode);
        double treeOnly = rate(lines, l -> {
            try {
                return mapper.readTree(l);
            } catch (IOException e) {
                return null;
            }
        });
        return String.format("%d recorded lines (%d KiB, every stdout transcript), 3 s per measurement after a 3 s warm-up%n%n"
                        + "| decoder | events/s |%n|---|---|%n| CliEventDecoder (tree + sealed records) | %,.0f |%n"
                        + "| Jackson readTree alone (the floor) | %,.0f |%n",
                lines.size(), bytes / 1024, ours, treeOnly);
    }

    private static double rate(List<String> lines, java.util.function.Function<String, Object> decode) {
        long sink = 0;
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) {
            for (String l : lines) {
                sink += decode.apply(l) == null ? 0 : 1;
            }
        }
        long count = 0;
        long begin = System.nanoTime();
        long end = begin + 3_000_000_000L;
        while (System.nanoTime() < end) {
            for (String l : lines) {
                sink += decode.apply(l) == null ? 0 : 1;
            }
            count += lines.size();
        }
        if (sink == 42) {
            System.out.print("");
        }
        return count / ((System.nanoTime() - begin) / 1e9);
    }

    private static String deathLatency(ClaudeLauncher launcher, Path work) throws Exception {
        List<Double> ours = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ClaudeSession s = launcher.start(chatty(work)).block(Duration.ofSeconds(10));
            s.send("warm").block(Duration.ofSeconds(10));
            long t0 = System.nanoTime();
            ProcessHandle.of(((dev.claudebridge.agent.process.CliProcess) s.process()).pid()).orElseThrow().destroyForcibly();
            s.exit().block(Duration.ofSeconds(10));
            ours.add((System.nanoTime() - t0) / 1e6);

            Process p = new ProcessBuilder(SCRIPTS.resolve("chatty.sh").toString()).directory(work.toFile()).start();
            long t1 = System.nanoTime();
            p.destroyForcibly();
            p.onExit().get(10, TimeUnit.SECONDS);
            plain.add((System.nanoTime() - t1) / 1e6);
        }
        return String.format("| path | median ms | p95 ms |%n|---|---|---|%n"
                        + "| ClaudeSession.exit() (NuProcess callback) | %.2f | %.2f |%n"
                        + "| java.lang.Process.onExit() (JDK reaper) | %.2f | %.2f |%n",
                pct(ours, 50), pct(ours, 95), pct(plain, 50), pct(plain, 95));
    }

    private static double pct(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
