package dev.claudebridge.bench;

import ch.qos.logback.classic.Level;
import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeDiscordSettings;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.MessageEdit;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The figures of issue 4: a long answer streamed at 40 tokens/s in N concurrent sessions against {@link FakeDiscord}
 * at its default limits (5 creates and 5 edits per 5 s per channel, 50/s global), through the bot with
 * {@code EDIT_INTERVAL=adaptive} (the default) and, in the same run, with a fixed {@code EDIT_INTERVAL=1500ms}.
 *
 * <p>The bot is the packaged jar ({@code ./mvnw -q -DbuildDir=target-bench -DskipTests package}) run as its own OS
 * process with the settings of the end-to-end tests, so its CPU time ({@link ProcessHandle.Info#totalCpuDuration()})
 * is its own: the CLIs are separate processes and are not counted. Below {@code --fake-from} sessions (default 50)
 * the CLI is the real pinned {@code claude} against {@link FakeAnthropicApi}; from it on, the script fake CLI
 * {@code src/test/resources/fakecli/stream-answer.py} (a real CLI needs about 160 MB each).
 *
 * <p>Visible lag of a token = the fake Discord's time of the first create or edit of the reply after which the
 * reply's pages (joined in order) contain the token, minus the time the token left the fake model: for the real
 * CLI {@link FakeAnthropicApi#sentTextDeltas()}, for the fake CLI the side file the script writes per token. Both
 * and the fake Discord's clock are the system clock. Every session's tokens are unique ({@code s07w0001}), so a
 * token names its session.
 *
 * <p>Run: {@code ./mvnw -q -DbuildDir=target-bench -Prun test-compile -Dmain=dev.claudebridge.bench.StreamingBench}
 * with optional {@code -Dargs="--ns 1,10,50 --tokens 400 --rate 40 --fake-from 50 --intervals adaptive,1500ms"}.
 * Writes the tables to stdout and to {@code <buildDir>/bench/streaming.md}. Only 127.0.0.1 is contacted.
 */
public final class StreamingBench {

    private static final Path FAKE_CLI = Path.of("src", "test", "resources", "fakecli", "stream-answer.py")
            .toAbsolutePath();
    private static final String FOOTER = "\n-# ⏱";
    private static final String HEADER = "🧵 ";
    private static final Duration READY_WAIT = Duration.ofSeconds(90);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final List<ProcessHandle> STARTED = new CopyOnWriteArrayList<>();

    private StreamingBench() {
    }

    record Options(List<Integer> ns, int tokens, double rate, int fakeFrom, List<String> intervals, Path jar,
                   Path out, Path realCli) {
    }

    /** What one run (one N, one bot configuration) measured. */
    record Phase(int n, boolean fakeCli, String interval, int done, List<Long> lagsMillis, int missingTokens,
                 double restMean, int restMax, double pagesMean, int pagesMax, long rateLimited,
                 Map<String, Long> rateLimitedRoutes, int exact, double cpuSeconds, double wallSeconds,
                 String note) {

        long p(double q) {
            return percentile(lagsMillis, q);
        }
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.claudebridge")).setLevel(Level.WARN);
        Options o = parse(args);
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(20));
                System.err.println("StreamingBench: over 20 minutes, giving up");
                killStarted();
                System.exit(3);
            } catch (InterruptedException ignored) {
                // finished in time
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(StreamingBench::killStarted, "bench-cleanup"));
        if (!Files.isRegularFile(o.jar())) {
            throw new IllegalStateException(o.jar() + " is missing: ./mvnw -q -DbuildDir=target-bench -DskipTests package");
        }
        String loadBefore = loadavg();
        List<Phase> phases = new ArrayList<>();
        for (int n : o.ns()) {
            for (String interval : o.intervals()) {
                Phase phase = runPhase(o, n, n >= o.fakeFrom(), interval);
                System.err.println("StreamingBench: " + phase);
                phases.add(phase);
            }
        }
        String loadAfter = loadavg();
        String md = report(o, phases, loadBefore, loadAfter);
        System.out.println(md);
        Files.createDirectories(o.out().getParent());
        Files.writeString(o.out(), md);
        watchdog.interrupt();
        System.exit(0);
    }

    private static Options parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("usage: [--ns 1,10,50] [--tokens 400] [--rate 40] [--fake-from 50]"
                        + " [--intervals adaptive,1500ms] [--jar target-bench/claude-bridge.jar] [--out file]");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        String buildDir = a.getOrDefault("build-dir", "target-bench");
        return new Options(
                Arrays.stream(a.getOrDefault("ns", "1,10,50").split(",")).map(String::trim).map(Integer::valueOf)
                        .toList(),
                Integer.parseInt(a.getOrDefault("tokens", "400")),
                Double.parseDouble(a.getOrDefault("rate", "40")),
                Integer.parseInt(a.getOrDefault("fake-from", "50")),
                Arrays.stream(a.getOrDefault("intervals", "adaptive,1500ms").split(",")).map(String::trim).toList(),
                Path.of(a.getOrDefault("jar", buildDir + "/claude-bridge.jar")).toAbsolutePath(),
                Path.of(a.getOrDefault("out", buildDir + "/bench/streaming.md")).toAbsolutePath(),
                Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath());
    }

    static String prefix(int session) {
        return String.format(Locale.ROOT, "s%02d", session);
    }

    static List<String> words(int session, int tokens) {
        return IntStream.rangeClosed(1, tokens)
                .mapToObj(i -> String.format(Locale.ROOT, "%sw%04d", prefix(session), i)).toList();
    }

    /** A create or an edit of a bot message, as the fake Discord accepted it (its clock). */
    record Visible(String channelId, String messageId, Instant at, String content) {
    }

    private static Phase runPhase(Options o, int n, boolean fakeCli, String interval) throws Exception {
        Path root = Files.createTempDirectory("streaming-bench-");
        Path logs = Files.createDirectories(o.out().getParent().resolve("logs"));
        Path sentDir = Files.createDirectories(root.resolve("sent"));
        String label = "n" + n + "-" + interval;
        FakeDiscord discord = FakeDiscord.start(FakeDiscordSettings.defaults());
        FakeAnthropicApi api = FakeAnthropicApi.start();
        Queue<Visible> visible = new ConcurrentLinkedQueue<>();
        Map<String, String> threadByPrefix = new ConcurrentHashMap<>();
        Queue<Change.RateLimited> refusals = new ConcurrentLinkedQueue<>();
        Disposable watch = discord.changes().subscribe(c -> {
            switch (c) {
                case Change.MessageCreated m when m.message().byBot() -> visible.add(new Visible(
                        m.message().channelId(), m.message().id(), m.message().createdAt(), m.message().content()));
                case Change.MessageEdited m when m.message().byBot() && !m.message().edits().isEmpty() -> {
                    MessageEdit last = m.message().edits().getLast();
                    visible.add(new Visible(m.message().channelId(), m.message().id(), last.at(), last.content()));
                }
                case Change.ThreadCreated t -> {
                    String name = t.thread().name();
                    int at = name.indexOf("prefix=");
                    if (at >= 0) {
                        threadByPrefix.put(name.substring(at + 7).split(" ")[0], t.thread().id());
                    }
                }
                case Change.RateLimited r -> refusals.add(r);
                default -> {
                }
            }
        });
        Process bot = null;
        try {
            List<String> prompts = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                String answer = String.join(" ", words(i, o.tokens()));
                api.on(Match.userTextContains("prefix=" + prefix(i) + " "),
                        Reply.text(answer).tokensPerSecond(o.rate()).times(1));
                prompts.add(String.format(Locale.ROOT, "bench prefix=%s tokens=%d rate=%s", prefix(i), o.tokens(),
                        trim(o.rate())));
            }
            bot = startBot(o, discord, api, root, fakeCli, interval, sentDir, logs.resolve("bot-" + label + ".log"));
            awaitReady(discord, bot);

            ProcessHandle handle = bot.toHandle();
            Duration cpu0 = handle.info().totalCpuDuration().orElse(Duration.ZERO);
            long wall0 = System.nanoTime();
            for (String prompt : prompts) {
                discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), prompt);
            }
            // Every reply ends with its footer; bounded: CLI start-up under load plus the reply plus slack.
            long deadline = System.nanoTime() + Duration.ofSeconds(90 + (long) (o.tokens() / o.rate()) * 2)
                    .toNanos();
            int done = 0;
            while (System.nanoTime() < deadline && bot.isAlive()) {
                done = (int) IntStream.rangeClosed(1, n).filter(i -> finished(discord, threadByPrefix.get(prefix(i))))
                        .count();
                if (done == n) {
                    break;
                }
                Thread.sleep(200);
            }
            Thread.sleep(500); // a last edit in flight
            Duration cpu1 = handle.info().totalCpuDuration().orElse(Duration.ZERO);
            double wall = (System.nanoTime() - wall0) / 1e9;
            String note = done == n ? "" : done + " of " + n + " replies finished in time";

            Map<String, Instant> sent = fakeCli ? readSideFiles(sentDir) : fromApi(api);
            List<Long> lags = new ArrayList<>();
            int missing = 0;
            List<Integer> rest = new ArrayList<>();
            List<Integer> pages = new ArrayList<>();
            int exact = 0;
            List<Visible> events = new ArrayList<>(visible);
            events.sort(Comparator.comparing(Visible::at));
            for (int i = 1; i <= n; i++) {
                String thread = threadByPrefix.get(prefix(i));
                List<String> ws = words(i, o.tokens());
                if (thread == null) {
                    missing += ws.size();
                    continue;
                }
                List<PostedMessage> reply = discord.messages(thread).stream()
                        .filter(m -> m.byBot() && !m.content().startsWith(HEADER)).toList();
                Map<String, Instant> seen = firstVisible(events, thread, reply.stream().map(PostedMessage::id).toList(),
                        ws);
                for (String w : ws) {
                    Instant s = sent.get(w);
                    Instant v = seen.get(w);
                    if (s == null || v == null) {
                        missing++;
                    } else {
                        lags.add(Duration.between(s, v).toMillis());
                    }
                }
                rest.add(reply.size() + reply.stream().mapToInt(m -> m.edits().size()).sum());
                pages.add(reply.size());
                if (finalText(reply).equals(String.join(" ", ws))) {
                    exact++;
                }
            }
            // Which limit refused: "global" (50/s) or the route's per-channel bucket.
            Map<String, Long> limited = refusals.stream().collect(Collectors.groupingBy(
                    r -> (r.global() ? "global " : "per-channel ") + shortRoute(r.route()), LinkedHashMap::new,
                    Collectors.counting()));
            return new Phase(n, fakeCli, interval, done, lags, missing,
                    rest.stream().mapToInt(Integer::intValue).average().orElse(Double.NaN),
                    rest.stream().mapToInt(Integer::intValue).max().orElse(0),
                    pages.stream().mapToInt(Integer::intValue).average().orElse(Double.NaN),
                    pages.stream().mapToInt(Integer::intValue).max().orElse(0),
                    discord.rateLimitedTotal(), limited, exact, cpu1.minus(cpu0).toMillis() / 1000.0, wall, note);
        } finally {
            watch.dispose();
            if (bot != null) {
                stopBot(bot);
            }
            api.close();
            discord.close();
            deleteTree(root);
        }
    }

    private static boolean finished(FakeDiscord discord, String thread) {
        return thread != null && discord.messages(thread).stream()
                .anyMatch(m -> m.byBot() && m.content().contains(FOOTER));
    }

    /**
     * For each token, the time of the first accepted create or edit in the thread after which the reply's messages
     * (in creation order, joined) contain it. Joining handles a token cut at a page break.
     */
    static Map<String, Instant> firstVisible(List<Visible> events, String thread, List<String> replyIds,
                                             List<String> ws) {
        Map<String, String> content = new LinkedHashMap<>();
        replyIds.forEach(id -> content.put(id, ""));
        Map<String, Instant> seen = new HashMap<>();
        int next = 0;
        for (Visible e : events) {
            if (!e.channelId().equals(thread) || !content.containsKey(e.messageId())) {
                continue;
            }
            content.put(e.messageId(), e.content());
            String joined = String.join("", content.values());
            while (next < ws.size() && joined.contains(ws.get(next))) {
                seen.put(ws.get(next), e.at());
                next++;
            }
        }
        return seen;
    }

    /** The reply's pages joined, without the footer line (the answer has no fences or tool lines). */
    static String finalText(List<PostedMessage> reply) {
        String joined = reply.stream().map(PostedMessage::content).collect(Collectors.joining());
        int footer = joined.lastIndexOf(FOOTER);
        return footer < 0 ? "(no footer) " + joined : joined.substring(0, footer);
    }

    private static Map<String, Instant> fromApi(FakeAnthropicApi api) {
        Map<String, Instant> sent = new HashMap<>();
        for (FakeAnthropicApi.SentTextDelta d : api.sentTextDeltas()) {
            sent.putIfAbsent(d.text().strip(), d.at());
        }
        return sent;
    }

    private static Map<String, Instant> readSideFiles(Path dir) throws IOException {
        Map<String, Instant> sent = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] parts = line.trim().split(" ");
                    if (parts.length == 2) {
                        long micros = Long.parseLong(parts[1]);
                        sent.putIfAbsent(parts[0], Instant.ofEpochSecond(micros / 1_000_000,
                                (micros % 1_000_000) * 1000));
                    }
                }
            }
        }
        return sent;
    }

    /** The bot as its own OS process with the settings of the end-to-end tests (BotWorld), all on 127.0.0.1. */
    private static Process startBot(Options o, FakeDiscord discord, FakeAnthropicApi api, Path root, boolean fakeCli,
                                    String interval, Path sentDir, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", o.jar().toString());
        pb.directory(root.toFile());
        pb.environment().clear();
        pb.environment().putAll(BotEnvironment.of(root, discord, api, Map.of(
                "CLAUDE_BIN", fakeCli ? FAKE_CLI.toString() : o.realCli().toString(),
                "BENCH_SENT_DIR", sentDir.toString(),
                "CLAUDE_ENV_PASSTHROUGH", "CLAUDE_CODE_MAX_RETRIES,CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC,"
                        + "BENCH_SENT_DIR",
                "MAX_SESSIONS_PER_USER", "200",
                "MAX_LIVE_CLIS", "200",
                "EDIT_INTERVAL", interval)));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        STARTED.add(p.toHandle());
        return p;
    }

    private static void awaitReady(FakeDiscord discord, Process bot) {
        String guild = discord.ids().guildId();
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!bot.isAlive()) {
                throw new IllegalStateException("the bot exited during start-up with " + bot.exitValue());
            }
            if (discord.gatewayConnections() > 0 && discord.commands(guild) != null
                    && discord.commands(guild).size() > 0) {
                sleep(500);
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("the bot was not ready within " + READY_WAIT);
    }

    /** SIGTERM (the bot drains and stops its CLIs), then SIGKILL; then any CLI or child still alive. */
    private static void stopBot(Process bot) {
        List<ProcessHandle> children = bot.descendants().toList();
        bot.destroy();
        try {
            if (!bot.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                bot.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        STARTED.remove(bot.toHandle());
    }

    private static void killStarted() {
        for (ProcessHandle p : STARTED) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static String report(Options o, List<Phase> phases, String loadBefore, String loadAfter) {
        double seconds = o.tokens() / o.rate();
        StringBuilder md = new StringBuilder();
        md.append("Each session streams ").append(o.tokens()).append(" unique tokens at ").append(trim(o.rate()))
                .append(" tokens/s (").append(trim(seconds)).append(" s per reply); all N prompts are posted at once,")
                .append(" each opening its own thread. FakeDiscord at its defaults (5 creates and 5 edits per 5 s per")
                .append(" channel, 50/s global). Load average (1, 5, 15 min) before: ").append(loadBefore)
                .append("; after: ").append(loadAfter).append(".\n\n");
        md.append("| N | CLI | EDIT_INTERVAL | lag p50 | lag p95 | lag max | REST calls per reply (mean / max) | pages |")
                .append(" 429s | exact final text | bot CPU (s, % of one core) |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            md.append("| ").append(p.n()).append(" | ").append(p.fakeCli() ? "fake CLI (script)" : "real CLI")
                    .append(" | ").append(p.interval()).append(" | ").append(ms(p.p(0.50))).append(" | ")
                    .append(ms(p.p(0.95))).append(" | ").append(ms(p.p(1.0))).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f / %d", p.restMean(), p.restMax())).append(" | ")
                    .append(p.pagesMax()).append(" | ").append(p.rateLimited())
                    .append(p.rateLimitedRoutes().isEmpty() ? "" : " (" + p.rateLimitedRoutes().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")").append(" | ")
                    .append(p.exact() == p.n() ? "yes" : "no (" + p.exact() + " of " + p.n() + ")")
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f s, %.0f %%", p.cpuSeconds(),
                            100 * p.cpuSeconds() / p.wallSeconds()))
                    .append(p.missingTokens() > 0 ? " · " + p.missingTokens() + " tokens never seen" : "")
                    .append(p.note().isEmpty() ? "" : " · " + p.note()).append(" |\n");
        }
        md.append("\nTargets (adaptive; REST bound = reply seconds + pages + 3):\n\n")
                .append("| N | 0 × 429 | exact text | p95 ≤ 1.2 s (N ≤ 10) | p95 below the fixed interval's |")
                .append(" REST per reply ≤ bound |\n|---|---|---|---|---|---|\n");
        for (int n : o.ns()) {
            Optional<Phase> a = phases.stream().filter(p -> p.n() == n && p.interval().equals("adaptive")).findFirst();
            Optional<Phase> f = phases.stream().filter(p -> p.n() == n && !p.interval().equals("adaptive"))
                    .findFirst();
            if (a.isEmpty()) {
                continue;
            }
            Phase ad = a.get();
            double bound = seconds + ad.pagesMax() + 3;
            md.append("| ").append(n).append(" | ").append(met(ad.rateLimited() == 0, ad.rateLimited() + ""))
                    .append(" | ").append(met(ad.exact() == ad.n(), ad.exact() + "/" + ad.n())).append(" | ")
                    .append(n <= 10 ? met(ad.p(0.95) <= 1200, ms(ad.p(0.95))) : "n/a").append(" | ")
                    .append(f.map(fx -> met(ad.p(0.95) < fx.p(0.95), ms(ad.p(0.95)) + " vs " + ms(fx.p(0.95))))
                            .orElse("n/a"))
                    .append(" | ").append(met(ad.restMax() <= bound, ad.restMax() + " ≤ " + trim(bound)))
                    .append(" |\n");
        }
        return md.toString();
    }

    private static String shortRoute(String route) {
        return switch (route) {
            case "PATCH /channels/{channel.id}/messages/{message.id}" -> "edit";
            case "POST /channels/{channel.id}/messages" -> "create";
            case "POST /channels/{channel.id}/messages/{message.id}/threads" -> "thread";
            default -> route;
        };
    }

    private static String met(boolean ok, String figure) {
        return (ok ? "met" : "**missed**") + " (" + figure + ")";
    }

    static long percentile(List<Long> values, double q) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String ms(long millis) {
        return millis < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
