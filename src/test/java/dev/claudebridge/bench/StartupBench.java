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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 6 figures: the bot jar's time from process start to READY against {@link FakeDiscord} (median of a few runs,
 * each with a fresh data directory), and the resident memory (VmRSS) of the bot's JVM, its CLIs excluded, idle with
 * 0 and with 10 sessions (after their turns are done). The JVM runs with the Dockerfile's flags ({@code -Xmx384m}).
 *
 * <pre>
 * ./mvnw -q -DskipTests package
 * ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.bench.StartupBench -Dargs="--runs 5 --sessions 10"
 * </pre>
 */
public final class StartupBench {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> JVM_FLAGS = List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError");

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
        int sessions = Integer.parseInt(a.getOrDefault("sessions", "10"));
        Path jar = Path.of(a.getOrDefault("jar", "target/claude-bridge.jar")).toAbsolutePath();
        Path cli = Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath();
        if (!Files.isRegularFile(jar) || !Files.isExecutable(cli)) {
            throw new IllegalStateException("needs " + jar + " (./mvnw -q -DskipTests package) and " + cli);
        }
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            api.on(Match.userTextContains("bench session"), Reply.text("Done."));
            List<Long> toGatewayReady = new ArrayList<>();
            List<Long> toReadyz = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                Path root = Files.createTempDirectory("startup-bench-");
                int port = freePort();
                long start = System.nanoTime();
                // changes() replays the past: skip the READYs of the earlier runs.
                var ready = discord.changes().ofType(Change.GatewayReady.class).skip(run - 1L).next().timeout(WAIT)
                        .toFuture();
                Process bot = startBot(jar, cli, discord, api, root, port, root.resolve("bot.log"));
                try {
                    ready.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    long gateway = System.nanoTime() - start;
                    awaitReadyz(port, bot);
                    long readyz = System.nanoTime() - start;
                    toGatewayReady.add(gateway / 1_000_000);
                    toReadyz.add(readyz / 1_000_000);
                    System.out.printf("run %d: gateway READY %d ms, /readyz 200 %d ms%n", run, gateway / 1_000_000,
                            readyz / 1_000_000);
                    if (run == runs) {
                        memory(bot, discord, sessions);
                    }
                } finally {
                    stop(bot);
                }
            }
            System.out.printf("%nstart to gateway READY: median %d ms (min %d, max %d) over %d runs%n",
                    median(toGatewayReady), Collections.min(toGatewayReady), Collections.max(toGatewayReady), runs);
            System.out.printf("start to /readyz 200:   median %d ms (min %d, max %d) over %d runs%n",
                    median(toReadyz), Collections.min(toReadyz), Collections.max(toReadyz), runs);
        }
    }

    /** RSS of the JVM alone, idle with 0 sessions, then after {@code n} sessions each answered one turn. */
    private static void memory(Process bot, FakeDiscord discord, int n) throws Exception {
        long idle = settledRss(bot.pid());
        System.out.printf("idle, 0 sessions: JVM VmRSS %d MiB%n", idle / 1024);
        for (int i = 0; i < n; i++) {
            discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "bench session " + i);
        }
        int done = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            done = (int) discord.threads().stream()
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
        System.out.printf("idle, %d sessions (turns done): JVM VmRSS %d MiB; the %d CLI processes: %d MiB in all "
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

    private static void awaitReadyz(int port, Process bot) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(3)).build();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && bot.isAlive()) {
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("/readyz never answered 200");
    }

    private static Process startBot(Path jar, Path cli, FakeDiscord discord, FakeAnthropicApi api, Path root, int port,
            Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        pb.environment().clear();
        pb.environment().putAll(BotEnvironment.of(root, discord, api, Map.of("CLAUDE_BIN", cli.toString(),
                "OPS_PORT", String.valueOf(port), "MAX_SESSIONS_PER_USER", "50")));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
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

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
