package dev.claudebridge.bench;

import ch.qos.logback.classic.Level;
import dev.claudebridge.Application;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeDiscordSettings;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.MessageEdit;
import dev.claudebridge.testkit.discord.PostedMessage;
import dev.claudebridge.testkit.discord.ThreadView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * What the bot itself adds to a prompt and to a streamed token, with 10 warm sessions side by side (the "before"
 * and "after" figures of the issue "One core for every chat platform"):
 *
 * <ol>
 *   <li><b>Gateway event → the prompt's line on the CLI's stdin:</b> from the moment {@link FakeDiscord} has sent
 *   the MESSAGE_CREATE dispatch of a prompt in a session thread ({@code userMessage} dispatches synchronously under
 *   the fake's lock: the time is taken right after it returns) to the moment the fake CLI has read the user line
 *   from its stdin.</li>
 *   <li><b>CLI stdout line → the edit request at the fake Discord:</b> from the moment the fake CLI has flushed a
 *   text-token line to the moment {@link FakeDiscord} accepted the first PATCH of the reply whose content contains
 *   the token (its clock: stamped when the request, body read, is processed; the loopback HTTP time is in).
 *   Tokens come {@code --gap} seconds apart in a session, further apart than the 1 s the edit pacer spaces a
 *   channel's edits at 5 per 5 s, so the channel's budget is free when the line arrives. Samples whose line still
 *   came before the channel's next edit slot (reconstructed from the fake's fixed windows and the pacer's rule
 *   {@code Reset-After / (Remaining + 1)}) are shown separately.</li>
 * </ol>
 *
 * <p>The bot is {@link Application} in this JVM against {@link FakeDiscord} (Discord's default limits); the CLI is
 * {@code src/test/resources/fakecli/latency-probe.py}, which stamps its stdin reads and stdout writes in epoch
 * microseconds of the system clock, the clock both fakes use: the two processes' times compare. Each session is
 * opened with one short turn first (cold: not measured), then gets {@code --warmup} prompts (not measured: the JIT
 * warms up) and {@code --prompts} measured ones, one every {@code --cycle} seconds, the sessions staggered by
 * cycle / sessions. Each answer is {@code --tokens} tokens, token i at (stdin read) + i × gap.
 *
 * <p>Uses only {@code Application}, {@code BotEnvironment}, {@code FakeDiscord}, {@code FakeAnthropicApi} and the
 * script, so it runs unchanged across a restructuring of the core.
 *
 * <pre>
 * ./mvnw -B -ntp -q -Prun test-compile -Dmain=dev.claudebridge.bench.BotLatencyBench \
 *     -Dargs="--sessions 10 --warmup 3 --prompts 20 --cycle 7 --tokens 3 --gap 1.7"
 * </pre>
 *
 * Writes the report to stdout and to {@code target/bench/bot-latency.md}, every sample (epoch microseconds) to
 * {@code target/bench/bot-latency-samples.csv}. Only 127.0.0.1 is contacted.
 */
public final class BotLatencyBench {

    private static final Path PROBE_CLI = Path.of("src", "test", "resources", "fakecli", "latency-probe.py")
            .toAbsolutePath();
    private static final String FOOTER = "\n-# ⏱";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** FakeDiscord's default per-channel edit bucket, which the pacer follows through the headers. */
    private static final int EDIT_LIMIT = 5;
    private static final long EDIT_WINDOW_US = 5_000_000;
    /** The pacer's global edit spacing (1000 / 36 + 1 ms). */
    private static final long GLOBAL_SPACING_US = 28_000;
    /** The goal of the issue, for each figure. */
    private static final double GOAL_P95_MS = 15.0;

    private BotLatencyBench() {
    }

    record Options(int sessions, int warmup, int prompts, double cycle, int tokens, double gap, Path out,
                   String rawArgs) {
    }

    /** A bot message as created (the fake's clock and the content then). */
    record Created(String channelId, long atUs, String content) {
    }

    /** One token: when the CLI wrote its line, when the first edit showing it reached the fake Discord. */
    record TokenSample(String token, long lineUs, long editUs, boolean channelFree, boolean globalNeighbour) {
        long micros() {
            return editUs - lineUs;
        }
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.claudebridge")).setLevel(Level.WARN);
        Options o = parse(args);
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(8));
                System.err.println("BotLatencyBench: over 8 minutes, giving up");
                System.exit(3);
            } catch (InterruptedException ignored) {
                // finished in time
            }
        });
        String md = run(o);
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
                throw new IllegalArgumentException("usage: [--sessions 10] [--warmup 3] [--prompts 20] [--cycle 7]"
                        + " [--tokens 3] [--gap 1.7] [--out target/bench/bot-latency.md]");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        Options o = new Options(
                Integer.parseInt(a.getOrDefault("sessions", "10")),
                Integer.parseInt(a.getOrDefault("warmup", "3")),
                Integer.parseInt(a.getOrDefault("prompts", "20")),
                Double.parseDouble(a.getOrDefault("cycle", "7")),
                Integer.parseInt(a.getOrDefault("tokens", "3")),
                Double.parseDouble(a.getOrDefault("gap", "1.7")),
                Path.of(a.getOrDefault("out", "target/bench/bot-latency.md")).toAbsolutePath(),
                String.join(" ", args));
        if (o.sessions() > 99 || o.warmup() + o.prompts() > 99 || o.tokens() > 9) {
            throw new IllegalArgumentException("at most 99 sessions, 99 prompts (warm-up included) and 9 tokens"
                    + " (the tags are fixed width)");
        }
        // The turn (tokens × gap) plus the closing edit's slot (≤ 1 s) must end before the next prompt.
        if (o.tokens() * o.gap() + 1.5 > o.cycle()) {
            throw new IllegalArgumentException("--cycle must exceed tokens × gap + 1.5 s");
        }
        return o;
    }

    static String tag(int session, int prompt) {
        return String.format(Locale.ROOT, "s%02dp%02d", session, prompt);
    }

    private static String run(Options o) throws Exception {
        Path root = Files.createTempDirectory("bot-latency-bench-");
        Path probeDir = Files.createDirectories(root.resolve("probe"));
        String loadBefore = loadavg();
        long wall0 = System.nanoTime();
        FakeDiscord discord = FakeDiscord.start(FakeDiscordSettings.defaults());
        FakeAnthropicApi api = FakeAnthropicApi.start(); // unused by the script; the environment names it
        Application app = null;
        Queue<Created> created = new ConcurrentLinkedQueue<>();
        Disposable watch = discord.changes().subscribe(c -> {
            if (c instanceof Change.MessageCreated m && m.message().byBot()) {
                created.add(new Created(m.message().channelId(), epochMicros(m.message().createdAt()),
                        m.message().content()));
            }
        });
        try {
            Map<String, String> env = BotEnvironment.of(root, discord, api, Map.of(
                    "CLAUDE_BIN", PROBE_CLI.toString(),
                    "BENCH_PROBE_DIR", probeDir.toString(),
                    "CLAUDE_ENV_PASSTHROUGH", "CLAUDE_CODE_MAX_RETRIES,CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC,"
                            + "BENCH_PROBE_DIR",
                    "MAX_SESSIONS_PER_USER", Integer.toString(Math.max(5, o.sessions())),
                    "MAX_LIVE_CLIS", Integer.toString(Math.max(16, o.sessions()))));
            app = Application.start(BridgeConfig.fromEnv(env), Clock.systemUTC()).block(WAIT);
            awaitReady(discord);

            // Open the sessions: one short (cold, unmeasured) turn each, so every CLI is running and idle.
            String main = discord.ids().mainChannelId();
            for (int s = 1; s <= o.sessions(); s++) {
                discord.userMessage(FakeUser.OWNER, main, "probe=" + tag(s, 0) + " tokens=1 gap=0.05 opens a session");
            }
            Map<Integer, String> threads = awaitThreads(discord, o.sessions());
            for (int s = 1; s <= o.sessions(); s++) {
                awaitFooters(discord, threads.get(s), 1);
            }
            Thread.sleep(2_000); // past the closing edits' pacer slots

            Jitter jitter = Jitter.start();
            long[] gc0 = gcTotals();
            // Round p (warm-up rounds first, not measured): session s at start + (p - 1) × cycle + (s - 1) × cycle /
            // sessions.
            Map<String, Long> sentUs = new HashMap<>();
            List<Long> callUs = new ArrayList<>();
            int notFinished = 0;
            long cycleNs = (long) (o.cycle() * 1e9);
            long start = System.nanoTime() + 500_000_000L;
            int rounds = o.warmup() + o.prompts();
            for (int p = 1; p <= rounds; p++) {
                for (int s = 1; s <= o.sessions(); s++) {
                    long at = start + (p - 1) * cycleNs + (s - 1) * cycleNs / o.sessions();
                    long sleep = at - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                    String thread = threads.get(s);
                    if (p > o.warmup() && footers(discord, thread) < p) {
                        notFinished++; // the previous turn is still on screen: kept, but said in the report
                    }
                    String text = "probe=" + tag(s, p) + " tokens=" + o.tokens() + " gap=" + o.gap();
                    long before = epochMicros(Instant.now());
                    discord.userMessage(FakeUser.OWNER, thread, text);
                    long after = epochMicros(Instant.now());
                    if (p > o.warmup()) {
                        sentUs.put(tag(s, p), after);
                        callUs.add(after - before);
                    }
                }
            }
            for (int s = 1; s <= o.sessions(); s++) {
                awaitFooters(discord, threads.get(s), rounds + 1);
            }
            Thread.sleep(1_500); // a last edit in flight
            double wall = (System.nanoTime() - wall0) / 1e9;
            List<Long> jitterUs = jitter.stop();
            long[] gc1 = gcTotals();
            String machineNoise = String.format(Locale.ROOT, "a thread of this JVM asking to sleep 5 ms woke late by"
                            + " p50 %s, p95 %s, max %s (n = %d, one try every 50 ms from the first prompt to the"
                            + " last reply); garbage collections meanwhile: %d, %d ms in all",
                    ms(percentile(jitterUs, 0.5)), ms(percentile(jitterUs, 0.95)), ms(percentile(jitterUs, 1.0)),
                    jitterUs.size(), gc1[0] - gc0[0], gc1[1] - gc0[1]);

            app.stop(Duration.ofSeconds(15)).block(Duration.ofSeconds(30)); // the CLIs flush their logs and exit
            app = null;
            String loadAfter = loadavg();

            Map<String, Long> readUs = new HashMap<>();
            Map<String, Long> lineUs = new HashMap<>();
            readProbeLogs(probeDir, readUs, lineUs);
            List<Long> promptUs = new ArrayList<>();
            StringBuilder csv = new StringBuilder("figure,tag,start_epoch_us,end_epoch_us,channel_budget_free\n");
            int promptMissing = 0;
            for (Map.Entry<String, Long> e : new TreeMap<>(sentUs).entrySet()) {
                Long read = readUs.get(e.getKey());
                if (read == null) {
                    promptMissing++;
                } else {
                    promptUs.add(read - e.getValue());
                    csv.append("prompt,").append(e.getKey()).append(',').append(e.getValue()).append(',')
                            .append(read).append(",\n");
                }
            }
            List<TokenSample> tokens = new ArrayList<>();
            int tokenMissing = 0;
            int inCreate = 0;
            List<Long> allEditUs = allEdits(discord, threads.values());
            for (int s = 1; s <= o.sessions(); s++) {
                ThreadEdits te = threadEdits(discord, threads.get(s), created);
                for (int p = o.warmup() + 1; p <= rounds; p++) {
                    for (int k = 1; k <= o.tokens(); k++) {
                        String token = tag(s, p) + "k" + k;
                        Long line = lineUs.get(token);
                        Optional<Long> edit = te.firstContaining(token);
                        if (te.createdFirst(token, edit)) {
                            inCreate++; // shown by a new message, not an edit: not this figure
                            continue;
                        }
                        if (line == null || edit.isEmpty()) {
                            tokenMissing++;
                            continue;
                        }
                        tokens.add(new TokenSample(token, line, edit.get(), te.channelFreeAt(edit.get(), line),
                                globalNeighbour(allEditUs, edit.get())));
                    }
                }
            }
            tokens.forEach(t -> csv.append("token,").append(t.token()).append(',').append(t.lineUs()).append(',')
                    .append(t.editUs()).append(',').append(t.channelFree()).append('\n'));
            Files.createDirectories(o.out().getParent());
            Files.writeString(samplesFile(o), csv);
            return report(o, promptUs, promptMissing, callUs, notFinished, tokens, tokenMissing, inCreate,
                    discord.rateLimitedTotal(), wall, loadBefore, loadAfter, machineNoise);
        } finally {
            watch.dispose();
            if (app != null) {
                app.stop(Duration.ofSeconds(15)).block(Duration.ofSeconds(30));
            }
            api.close();
            discord.close();
            deleteTree(root);
        }
    }

    /**
     * How late a sleeping thread wakes on this machine while the benchmark runs: the floor under every thread hop of
     * the bot (the machine is shared, 2 cores), measured beside it in the same JVM.
     */
    static final class Jitter {
        private final List<Long> lateUs = new ArrayList<>();
        private volatile boolean running = true;
        private Thread thread;

        static Jitter start() {
            Jitter j = new Jitter();
            j.thread = Thread.ofPlatform().daemon().name("bench-jitter").start(j::loop);
            return j;
        }

        private void loop() {
            try {
                while (running) {
                    long t0 = System.nanoTime();
                    Thread.sleep(5);
                    long late = (System.nanoTime() - t0) / 1_000 - 5_000;
                    synchronized (lateUs) {
                        lateUs.add(late);
                    }
                    Thread.sleep(45);
                }
            } catch (InterruptedException ignored) {
                // stopped
            }
        }

        List<Long> stop() throws InterruptedException {
            running = false;
            thread.join();
            synchronized (lateUs) {
                return List.copyOf(lateUs);
            }
        }
    }

    /** Collections and their milliseconds, over every collector of this JVM. */
    private static long[] gcTotals() {
        long count = 0;
        long millis = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** Every sample, next to the report: {@code bot-latency.md} → {@code bot-latency-samples.csv}. */
    static Path samplesFile(Options o) {
        String name = o.out().getFileName().toString().replaceFirst("\\.md$", "");
        return o.out().resolveSibling(name + "-samples.csv");
    }

    private static void awaitReady(FakeDiscord discord) throws InterruptedException {
        String guild = discord.ids().guildId();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (discord.gatewayConnections() > 0 && discord.commands(guild) != null
                    && discord.commands(guild).size() > 0) {
                Thread.sleep(500);
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the bot was not ready within " + WAIT);
    }

    /** Session number → its thread, from the thread names (the title is the opening prompt's first line). */
    private static Map<Integer, String> awaitThreads(FakeDiscord discord, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Map<Integer, String> found = new TreeMap<>();
            for (ThreadView t : discord.threads()) {
                for (int s = 1; s <= n; s++) {
                    if (t.name().contains("probe=" + tag(s, 0) + " ")) {
                        found.put(s, t.id());
                    }
                }
            }
            if (found.size() == n) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + found.size() + " of " + n + " session threads opened");
            }
            Thread.sleep(100);
        }
    }

    private static int footers(FakeDiscord discord, String thread) {
        return (int) discord.messages(thread).stream().filter(m -> m.byBot() && m.content().contains(FOOTER)).count();
    }

    private static void awaitFooters(FakeDiscord discord, String thread, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (footers(discord, thread) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("thread " + thread + ": " + footers(discord, thread) + " of " + count
                        + " replies finished");
            }
            Thread.sleep(100);
        }
    }

    /** Every accepted edit of a bot message in one thread, in time order, and the bot's creates there. */
    record ThreadEdits(List<MessageEdit> edits, List<Created> creates) {

        Optional<Long> firstContaining(String token) {
            return edits.stream().filter(e -> e.content() != null && e.content().contains(token)).findFirst()
                    .map(e -> epochMicros(e.at()));
        }

        /** True when a create showed the token before any edit did. */
        boolean createdFirst(String token, Optional<Long> edit) {
            return creates.stream().anyMatch(c -> c.content() != null && c.content().contains(token)
                    && (edit.isEmpty() || c.atUs() <= edit.get()));
        }

        /**
         * Whether the channel's edit slot was open when the line arrived: the pacer lets the next edit go
         * {@code Reset-After / (Remaining + 1)} after the previous edit's response; the fake's edit bucket is a fixed
         * window of 5 s opened by its first edit, 5 edits in it. Reconstructed from the accepted edits (no 429s).
         */
        boolean channelFreeAt(long editUs, long lineUs) {
            long windowStart = Long.MIN_VALUE;
            int used = 0;
            long gate = Long.MIN_VALUE;
            for (MessageEdit e : edits) {
                long t = epochMicros(e.at());
                if (t >= editUs) {
                    break;
                }
                if (windowStart == Long.MIN_VALUE || t >= windowStart + EDIT_WINDOW_US) {
                    windowStart = t;
                    used = 0;
                }
                used++;
                long resetAfter = windowStart + EDIT_WINDOW_US - t;
                gate = t + resetAfter / (EDIT_LIMIT - used + 1);
            }
            return lineUs >= gate + 2_000; // + the response's way back to the bot
        }
    }

    private static ThreadEdits threadEdits(FakeDiscord discord, String thread, Queue<Created> created) {
        List<MessageEdit> edits = discord.messages(thread).stream().filter(PostedMessage::byBot)
                .flatMap(m -> m.edits().stream()).sorted(Comparator.comparing(MessageEdit::at)).toList();
        return new ThreadEdits(edits, created.stream().filter(c -> c.channelId().equals(thread)).toList());
    }

    private static List<Long> allEdits(FakeDiscord discord, java.util.Collection<String> threads) {
        return threads.stream().flatMap(t -> discord.messages(t).stream()).filter(PostedMessage::byBot)
                .flatMap(m -> m.edits().stream()).map(e -> epochMicros(e.at())).sorted().toList();
    }

    /** Another edit (any channel) within the pacer's global spacing before this one: it may have waited for it. */
    private static boolean globalNeighbour(List<Long> all, long editUs) {
        for (long t : all) {
            if (t >= editUs) {
                return false;
            }
            if (editUs - t < GLOBAL_SPACING_US) {
                return true;
            }
        }
        return false;
    }

    private static void readProbeLogs(Path dir, Map<String, Long> readUs, Map<String, Long> lineUs)
            throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String[] parts = line.trim().split(" ");
                    if (parts.length != 3) {
                        continue;
                    }
                    long us = Long.parseLong(parts[2]);
                    switch (parts[0]) {
                        case "in" -> readUs.putIfAbsent(parts[1], us);
                        case "out" -> lineUs.putIfAbsent(parts[1], us);
                        default -> {
                        }
                    }
                }
            }
        }
    }

    private static String report(Options o, List<Long> promptUs, int promptMissing, List<Long> callUs,
                                 int notFinished, List<TokenSample> tokens, int tokenMissing, int inCreate,
                                 long rateLimited, double wall, String loadBefore, String loadAfter,
                                 String machineNoise) {
        List<Long> free = tokens.stream().filter(TokenSample::channelFree).map(TokenSample::micros).toList();
        List<Long> paced = tokens.stream().filter(t -> !t.channelFree()).map(TokenSample::micros).toList();
        List<Long> all = tokens.stream().map(TokenSample::micros).toList();
        long overSecond = tokens.stream().filter(t -> t.micros() > 1_000_000).count();
        long neighbours = tokens.stream().filter(t -> t.channelFree() && t.globalNeighbour()).count();
        List<Long> freeAlone = tokens.stream().filter(t -> t.channelFree() && !t.globalNeighbour())
                .map(TokenSample::micros).toList();

        StringBuilder md = new StringBuilder();
        md.append("- **Machine:** ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), \"")
                .append(cpuModel()).append("\", ").append(memTotal()).append("; load average (1, 5, 15 min) before: ")
                .append(loadBefore).append(", after: ").append(loadAfter).append("; ").append(machineNoise)
                .append(".\n");
        boolean dirty = !git("status", "--porcelain", "--untracked-files=no").isBlank();
        md.append("- **Commit:** `").append(git("rev-parse", "--short", "HEAD"))
                .append(dirty ? "` (with local changes)" : "`")
                .append("; JDK ").append(System.getProperty("java.version")).append(".\n");
        md.append("- **Command:** `JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64")
                .append(" PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH ./mvnw -B -ntp -q -Prun test-compile")
                .append(" -Dmain=dev.claudebridge.bench.BotLatencyBench")
                .append(o.rawArgs().isBlank() ? "" : " -Dargs=\"" + o.rawArgs() + "\"").append("`\n");
        md.append(String.format(Locale.ROOT, "- **Load:** %d warm sessions (threads), %d measured prompts each after"
                        + " %d warm-up prompts, one every %s s per session (sessions staggered by %s s); each answer %d"
                        + " tokens, %s s apart. Run: %.0f s (bot start to last reply). FakeDiscord at its defaults;"
                        + " 429s in the run: %d.%n",
                o.sessions(), o.prompts(), o.warmup(), trim(o.cycle()), trim(o.cycle() / o.sessions()), o.tokens(),
                trim(o.gap()), wall, rateLimited));
        md.append('\n');
        md.append("| figure | n | p50 | p95 | max | goal p95 ≤ 15 ms |\n|---|---|---|---|---|---|\n");
        row(md, "1. gateway MESSAGE_CREATE sent → prompt line read from the CLI's stdin", promptUs, true);
        row(md, "2. CLI token line written → edit (PATCH) showing it at FakeDiscord, channel budget free", free,
                true);
        row(md, "2a. same, no other channel's edit in the 28 ms before (no global-slot wait possible)", freeAlone,
                false);
        row(md, "2b. token lines that came while the channel's edit slot was still closed (pacer-bound)", paced,
                false);
        row(md, "2c. all token samples", all, false);
        md.append('\n');
        md.append(String.format(Locale.ROOT, "Figure 2: %d of %d samples arrived > 1 s after their line; %d of the"
                        + " %d budget-free samples had another channel's edit < 28 ms before them (the pacer's global"
                        + " edit spacing, 36/s), kept in figure 2. Prompt missing at the CLI: %d; token lines or"
                        + " edits missing: %d; tokens shown first by a create instead of an edit: %d; prompts sent"
                        + " before the previous turn's footer was shown: %d. FakeDiscord's userMessage call (build,"
                        + " compress and hand the dispatch to Netty): p50 %s, max %s (not counted in figure 1).%n",
                overSecond, tokens.size(), neighbours, free.size(), promptMissing, tokenMissing, inCreate,
                notFinished, ms(percentile(callUs, 0.5)), ms(percentile(callUs, 1.0))));
        return md.toString();
    }

    private static void row(StringBuilder md, String name, List<Long> us, boolean goal) {
        md.append("| ").append(name).append(" | ").append(us.size()).append(" | ").append(ms(percentile(us, 0.5)))
                .append(" | ").append(ms(percentile(us, 0.95))).append(" | ").append(ms(percentile(us, 1.0)))
                .append(" | ");
        if (goal && !us.isEmpty()) {
            long p95 = percentile(us, 0.95);
            md.append(p95 <= GOAL_P95_MS * 1000 ? "met" : "**missed**").append(" (").append(ms(p95)).append(')');
        } else {
            md.append("n/a");
        }
        md.append(" |\n");
    }

    static long percentile(List<Long> values, double q) {
        if (values.isEmpty()) {
            return Long.MIN_VALUE;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String ms(long micros) {
        return micros == Long.MIN_VALUE ? "n/a" : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    static long epochMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).map(l -> {
                long kb = Long.parseLong(l.replaceAll("\\D", ""));
                return String.format(Locale.ROOT, "%.1f GiB RAM (MemTotal %d kB)", kb / 1024.0 / 1024.0, kb);
            }).findFirst().orElse("unknown RAM");
        } catch (IOException | UncheckedIOException e) {
            return "unknown RAM";
        }
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
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
