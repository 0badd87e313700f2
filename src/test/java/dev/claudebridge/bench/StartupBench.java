package dev.claudebridge.bench;

import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 6 figures and the start-up item of "A first run that just works": the bot jar's time from process start to
 * FakeDiscord's gateway READY, to the first {@code /readyz} 200, and to the first answered prompt (a user's message in
 * the main channel, sent the moment READY is seen, answered by the real CLI against {@link FakeAnthropicApi}); median
 * and spread over several runs, each with a fresh data directory. Optionally the resident memory (VmRSS) of the bot's
 * JVM, its CLIs excluded, idle with 0 and with {@code --sessions} sessions (after their turns are done).
 *
 * <p>Several variants (a jar and its JVM flags) may be compared in one invocation: their runs are interleaved (run 1 of
 * each, then run 2 of each, ...), so the load of a shared machine falls on all of them alike. Work moved after READY
 * cannot hide: it shows in the two later figures.
 *
 * <pre>
 * ./mvnw -q -DskipTests package
 * ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.bench.StartupBench -Dargs="--runs 7"
 * ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.bench.StartupBench \
 *     -Dargs="--runs 7 --variant before=/tmp/before.jar --variant aot=target/claude-bridge.jar,-XX:AOTCache=app.aot"
 * </pre>
 *
 * {@code --variant label=jar[,flag...]} (repeatable; default: {@code --jar}, default target/claude-bridge.jar, with
 * no extra flag); every variant also gets the Dockerfile's flags ({@link #JVM_FLAGS}). {@code --sessions n} (default
 * 0: none) measures memory after the last run of each variant. {@code --logs dir} keeps every run's bot log there.
 */
public final class StartupBench {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> JVM_FLAGS = List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError");

    private record Variant(String label, Path jar, List<String> flags) {

        /** {@code label=jar[,flag...]}: commas, so no quoting survives Maven's argument splitting. */
        static Variant parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--variant label=jar[,flag...], not " + spec);
            }
            List<String> words = Arrays.stream(spec.substring(eq + 1).strip().split(",")).toList();
            return new Variant(spec.substring(0, eq), Path.of(words.getFirst()).toAbsolutePath(),
                    words.subList(1, words.size()));
        }
    }

    /**
     * One run's three figures, in milliseconds from {@code ProcessBuilder.start()}, and the CPU time (user + system,
     * all threads) the JVM had used at gateway READY: on a loaded machine the wall-clock figures stretch with the
     * load, the CPU time much less.
     */
    private record Run(long gatewayReady, long readyz, long answered, long cpuAtReady) {
    }

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<String>> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.computeIfAbsent(args[i].replaceFirst("^--", ""), k -> new ArrayList<>()).add(args[i + 1]);
        }
        int runs = Integer.parseInt(one(a, "runs", "5"));
        int sessions = Integer.parseInt(one(a, "sessions", "0"));
        Path logs = a.containsKey("logs") ? Files.createDirectories(Path.of(one(a, "logs", ""))) : null;
        List<Variant> variants = a.getOrDefault("variant", List.of("jar=" + one(a, "jar", "target/claude-bridge.jar")))
                .stream().map(Variant::parse).toList();
        Path cli = Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath();
        for (Variant v : variants) {
            if (!Files.isRegularFile(v.jar())) {
                throw new IllegalStateException("needs " + v.jar() + " (./mvnw -q -DskipTests package)");
            }
        }
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException("needs the CLI " + cli);
        }
        System.out.printf("JDK %s (%s), %d cores, load average %s%n", Runtime.version(),
                System.getProperty("java.home"), Runtime.getRuntime().availableProcessors(), loadAverage());
        Map<Variant, List<Run>> results = new LinkedHashMap<>();
        AtomicInteger prompts = new AtomicInteger();
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            // changes() replays the past: a run's READY is the first one after those counted here.
            AtomicLong readies = new AtomicLong();
            discord.changes().ofType(Change.GatewayReady.class).subscribe(c -> readies.incrementAndGet());
            for (int i = 1; i <= runs * variants.size(); i++) {
                // Each prompt gets its own answer, so a run never mistakes an earlier run's reply for its own.
                api.on(Match.userTextContains("bench prompt " + i + "."), Reply.text("Answer " + i + "."));
            }
            for (int run = 1; run <= runs; run++) {
                for (Variant v : variants) {
                    Path log = logs == null ? null : logs.resolve(v.label() + "-" + run + ".log");
                    Run r = once(v, cli, discord, api, readies.get(), prompts.incrementAndGet(), log,
                            run == runs ? sessions : 0);
                    results.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
                    System.out.printf("%-10s run %d: gateway READY %5d ms, /readyz 200 %5d ms, first answer %5d ms"
                            + " (JVM CPU at READY %5d ms)%n", v.label(), run, r.gatewayReady(), r.readyz(),
                            r.answered(), r.cpuAtReady());
                }
            }
        }
        System.out.printf("%nload average after: %s%n", loadAverage());
        System.out.println("| variant | start to gateway READY | start to `/readyz` 200 | start to first answered prompt "
                + "| JVM CPU time at READY |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<Variant, List<Run>> e : results.entrySet()) {
            List<Run> rs = e.getValue();
            System.out.printf("| %s | %s | %s | %s | %s |%n", e.getKey().label(),
                    summary(rs.stream().map(Run::gatewayReady).toList()),
                    summary(rs.stream().map(Run::readyz).toList()),
                    summary(rs.stream().map(Run::answered).toList()),
                    summary(rs.stream().map(Run::cpuAtReady).toList()));
        }
        System.out.println("(median of " + runs + " runs, [min-max])");
    }

    private static Run once(Variant v, Path cli, FakeDiscord discord, FakeAnthropicApi api, long readiesBefore,
            int prompt, Path keepLog, int sessions) throws Exception {
        Path root = Files.createTempDirectory("startup-bench-");
        int port = freePort();
        long start = System.nanoTime();
        // The time is taken on the fake's thread as it emits, not when this thread gets round to looking.
        AtomicReference<Process> started = new AtomicReference<>();
        AtomicLong cpuAtReady = new AtomicLong();
        CompletableFuture<Long> ready = discord.changes().ofType(Change.GatewayReady.class).skip(readiesBefore)
                .next().map(c -> {
                    long now = System.nanoTime();
                    cpuAtReady.set(cpuMillis(started.get().pid()));
                    return now;
                }).timeout(WAIT).toFuture();
        String answer = "Answer " + prompt + ".";
        CompletableFuture<Long> answered = discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated m ? m.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.byBot() && m.content().contains(answer))
                .next().map(m -> System.nanoTime()).timeout(WAIT).toFuture();
        Process bot = startBot(v, cli, discord, api, root, port, root.resolve("bot.log"));
        started.set(bot);
        try {
            long gateway = ready.get(WAIT.toSeconds(), TimeUnit.SECONDS) - start;
            // A user who sees the bot come online writes at once.
            discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "bench prompt " + prompt + ".");
            long readyz = awaitReadyz(port, bot) - start;
            long answer1 = answered.get(WAIT.toSeconds(), TimeUnit.SECONDS) - start;
            if (sessions > 0) {
                memory(bot, discord, sessions);
            }
            Run r = new Run(gateway / 1_000_000, readyz / 1_000_000, answer1 / 1_000_000, cpuAtReady.get());
            Files.writeString(root.resolve("bot.log"), "bench: %s%n".formatted(r), StandardOpenOption.APPEND);
            return r;
        } finally {
            stop(bot);
            if (keepLog != null) {
                Files.copy(root.resolve("bot.log"), keepLog, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** RSS of the JVM alone, idle with the one session of the run, then after {@code n} more each answered a turn. */
    private static void memory(Process bot, FakeDiscord discord, int n) throws Exception {
        long idle = settledRss(bot.pid());
        System.out.printf("idle, 1 session: JVM VmRSS %d MiB%n", idle / 1024);
        int before = discord.threads().size();
        for (int i = 0; i < n; i++) {
            discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "bench session " + i);
        }
        int done = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            done = (int) discord.threads().stream().skip(before)
                    .filter(t -> discord.messages(t.id()).stream().filter(PostedMessage::byBot)
                            .anyMatch(m -> discord.message(m.id()).content().contains("⏱")))
                    .count();
            if (done >= n) {
                break;
            }
            discord.changes().filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                    .blockFirst(Duration.ofSeconds(5));
        }
        if (done < n) {
            throw new IllegalStateException("only " + done + " of " + n + " sessions answered");
        }
        long withSessions = settledRss(bot.pid());
        long clis = bot.descendants().filter(p -> p.info().command().map(c -> c.contains("claude")).orElse(false))
                .mapToLong(p -> rss(p.pid())).sum();
        long cliCount = bot.descendants().filter(p -> p.info().command().map(c -> c.contains("claude"))
                .orElse(false)).count();
        System.out.printf("idle, %d more sessions (turns done): JVM VmRSS %d MiB; the %d CLI processes: %d MiB in all "
                + "(%d MiB each on average)%n", n, withSessions / 1024, cliCount, clis / 1024,
                cliCount == 0 ? 0 : clis / 1024 / cliCount);
    }

    /** VmRSS in KiB after 10 s of quiet, the largest of three samples a second apart. */
    private static long settledRss(long pid) throws InterruptedException {
        Thread.sleep(10_000);
        long max = 0;
        for (int i = 0; i < 3; i++) {
            max = Math.max(max, rss(pid));
            Thread.sleep(1_000);
        }
        return max;
    }

    private static long rss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@code System.nanoTime()} of the first 200, polling every 20 ms. */
    private static long awaitReadyz(int port, Process bot) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(3)).build();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && bot.isAlive()) {
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("/readyz never answered 200");
    }

    private static Process startBot(Variant v, Path cli, FakeDiscord discord, FakeAnthropicApi api, Path root,
            int port, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(v.flags());
        command.addAll(List.of("-jar", v.jar().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        pb.environment().clear();
        pb.environment().putAll(BotEnvironment.of(root, discord, api, Map.of("CLAUDE_BIN", cli.toString(),
                "OPS_PORT", String.valueOf(port), "MAX_SESSIONS_PER_USER", "50")));
        // The wall-clock start heads the log, so the phases' timestamps can be read as times since start.
        Files.writeString(log, "bench: start at %s%n".formatted(Instant.now()));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    private static void stop(Process bot) throws InterruptedException {
        List<ProcessHandle> children = bot.descendants().toList();
        bot.destroy();
        if (!bot.waitFor(30, TimeUnit.SECONDS)) {
            bot.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String one(Map<String, List<String>> args, String name, String fallback) {
        List<String> values = args.get(name);
        return values == null ? fallback : values.getLast();
    }

    /** User + system CPU time of a process, all its threads, from {@code /proc/<pid>/stat} (clock ticks of 10 ms). */
    private static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Median with the spread: {@code 1234 ms [1100-1500]}. */
    private static String summary(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return "%d ms [%d-%d]".formatted(sorted.get(sorted.size() / 2), sorted.getFirst(), sorted.getLast());
    }
}
