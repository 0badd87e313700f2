package dev.claudebridge.bench;

import ch.qos.logback.classic.Level;
import dev.claudebridge.Application;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.FakeKubernetes;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.SessionImage;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The kubernetes agent runtime's figures (issue "Every session in its own Kubernetes pod"), on the test kit's
 * {@link FakeKubernetes} (whose kubelet runs a pod as a local process: no scheduling, no image pull, no container
 * runtime, so what a real cluster adds is not in these figures):
 * <ol>
 *   <li><b>Prompt to first streamed token</b>, embedded against kubernetes, with the real CLI: a new session (the CLI
 *   or pod starts) and a second prompt in it (the CLI or pod runs already); from the fake Discord's MESSAGE_CREATE of
 *   the prompt to the first bot message or edit in the thread that shows the answer's first word.</li>
 *   <li><b>Many sessions</b> in kubernetes mode with the script CLI ({@code fakecli/stream-answer.py}): the bot's
 *   JVM threads and heap with 1 and with N live session pods (each answered once and left running), and the calls
 *   to the API server: per session start, and per second while they sit idle.</li>
 * </ol>
 * Run (as root): {@code ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.bench.PodsBench
 * -Dargs="--runs 5 --sessions 200"}.
 */
public final class PodsBench {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String NAMESPACE = "claude-bridge-sessions";
    private static final String TEMPLATE = """
            apiVersion: v1
            kind: Pod
            spec:
              securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
              containers: [{name: claude, image: claude-bridge:bench}]
            """;

    private PodsBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        int sessions = 200;
        boolean latency = true;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                case "--latency" -> latency = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("ROOT")).setLevel(Level.WARN);
        String cli = Path.of("tools/node_modules/.bin/claude").toAbsolutePath().toString();
        String podCli = SessionImage.cli();
        System.out.println("== prompt to first streamed token (real CLI " + cli + "), " + runs + " sessions each");
        for (boolean pods : latency ? List.of(false, true) : List.<Boolean>of()) {
            List<Long> cold = new ArrayList<>();
            List<Long> warm = new ArrayList<>();
            try (World w = World.start(pods, Map.of("CLAUDE_BIN", cli, "SESSION_CLAUDE_BIN", podCli))) {
                w.api.on(Match.userTextContains("first word"), Reply.text("alpha beta gamma delta"))
                        .on(Match.userTextContains("again"), Reply.text("omega psi chi"));
                Set<String> seen = new java.util.HashSet<>();
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    w.discord.userMessage(FakeUser.OWNER, w.main(), "first word please, run " + r);
                    // next() sees the threads made before too: this run's is the one not seen yet
                    String thread = w.discord.next(Change.ThreadCreated.class,
                            t -> !seen.contains(t.thread().id()), WAIT).block().thread().id();
                    seen.add(thread);
                    w.await(thread, c -> c.contains("alpha"));
                    cold.add((System.nanoTime() - t0) / 1_000_000);
                    w.await(thread, c -> c.contains("delta") && c.contains("⏱"));
                    long t1 = System.nanoTime();
                    w.discord.userMessage(FakeUser.OWNER, thread, "and again, run " + r);
                    // the reply's own message: the first answer's pages are in the thread already
                    w.await(thread, c -> c.contains("omega") && !c.contains("alpha"));
                    warm.add((System.nanoTime() - t1) / 1_000_000);
                    w.await(thread, c -> c.contains("chi") && c.contains("⏱"));
                }
            }
            System.out.printf(Locale.ROOT, "%-10s new session: %s   running session: %s%n",
                    pods ? "kubernetes" : "embedded", summary(cold), summary(warm));
        }

        String script = SessionImage.file(Path.of("src/test/resources/fakecli/stream-answer.py"));
        if (sessions == 0) {
            return;
        }
        System.out.println("== " + sessions + " live session pods, script CLI " + script);
        try (World w = World.start(true, Map.of("SESSION_CLAUDE_BIN", script, "MAX_LIVE_CLIS",
                String.valueOf(sessions + 10), "MAX_SESSIONS_PER_USER", String.valueOf(Math.min(1000, sessions))))) {
            Set<String> done = ConcurrentHashMap.newKeySet();
            var watch = w.discord.changes().subscribe(c -> {
                PostedMessage m = c instanceof Change.MessageCreated mc ? mc.message()
                        : c instanceof Change.MessageEdited me ? me.message() : null;
                if (m != null && m.byBot() && m.content().contains("⏱")) {
                    done.add(m.channelId());
                }
            });
            one(w, done, 0);
            Figures at1 = Figures.now(w.kube, 1);
            long requestsBefore = w.kube.requests().size();
            long t0 = System.nanoTime();
            for (int i = 1; i < sessions; i++) {
                w.discord.userMessage(FakeUser.OWNER, w.main(), "prefix=s" + i + " tokens=5 rate=50");
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
            while (done.size() < sessions && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long starts = w.kube.requests().size() - requestsBefore;
            // Idle threads of the schedulers where the starts blocked are let go 60 s after their last task, checked
            // every 60 s: count once they are.
            Thread.sleep(125_000);
            Figures atN = Figures.now(w.kube, done.size());
            System.out.printf(Locale.ROOT, "answered: %d of %d sessions in %.1f s%n", done.size(), sessions, seconds);
            System.out.printf(Locale.ROOT, "API calls per session start: %.1f%n", starts / (double) (sessions - 1));
            System.out.println(at1);
            System.out.println(atN);
            watch.dispose();
        }
    }

    private static void one(World w, Set<String> done, int i) throws InterruptedException {
        w.discord.userMessage(FakeUser.OWNER, w.main(), "prefix=s" + i + " tokens=5 rate=50");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (done.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return String.format(Locale.ROOT, "median %d ms [%d-%d]", sorted.get(sorted.size() / 2), sorted.getFirst(),
                sorted.getLast());
    }

    /** The bot's JVM with so many live session pods: threads, heap after a collection, idle API calls per second. */
    private record Figures(int sessions, int pods, int threads, int botThreads, long heapMiB,
            double idleCallsPerSecond) {
        static Figures now(FakeKubernetes kube, int sessions) throws InterruptedException {
            System.gc();
            Thread.sleep(200);
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            // The fakes' threads (the fake kubelet's per pod, the JDK's process reapers) are not the bot's.
            int bot = (int) Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> !n.startsWith("fake-") && !n.startsWith("process reaper")).count();
            // by name, digits folded: which threads grow with the pods, the bot's or the fakes'
            Map<String, Long> groups = new java.util.TreeMap<>();
            Thread.getAllStackTraces().keySet().forEach(t -> groups.merge(t.getName().replaceAll("[0-9]+", "#"),
                    1L, Long::sum));
            groups.entrySet().stream().filter(e -> e.getValue() > 3)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> System.out.println("    threads " + e.getValue() + " " + e.getKey()));
            long before = kube.requests().size();
            Thread.sleep(10_000);
            double perSecond = (kube.requests().size() - before) / 10.0;
            return new Figures(sessions, kube.pods(NAMESPACE).size(), threads, bot, heap, perSecond);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%4d live sessions (%d pods): %d JVM threads, %d of them not the fakes', "
                    + "heap %d MiB (bot and fakes), %.1f API calls/s while idle", sessions, pods, threads, botThreads,
                    heapMiB, idleCallsPerSecond);
        }
    }

    /** The bot in this JVM against FakeDiscord, FakeAnthropicApi and, in kubernetes mode, FakeKubernetes. */
    private static final class World implements AutoCloseable {
        final FakeDiscord discord;
        final FakeAnthropicApi api;
        final FakeKubernetes kube;
        final Application app;
        final Path root;
        final Path mounts;

        private World(FakeDiscord discord, FakeAnthropicApi api, FakeKubernetes kube, Application app, Path root,
                Path mounts) {
            this.discord = discord;
            this.api = api;
            this.kube = kube;
            this.app = app;
            this.root = root;
            this.mounts = mounts;
        }

        static World start(boolean pods, Map<String, String> extra) throws IOException {
            Path root = Files.createTempDirectory("pods-bench");
            Path mounts = Files.createTempDirectory(Path.of("/tmp"), "pods-bench-mnt-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            FakeDiscord discord = FakeDiscord.start();
            FakeAnthropicApi api = FakeAnthropicApi.start();
            FakeKubernetes kube = FakeKubernetes.start(root.resolve("claims"));
            kube.putSecret(NAMESPACE, "claude-model-credentials", Map.of("ANTHROPIC_API_KEY", "sk-ant-bench"));
            Map<String, String> env = new HashMap<>(extra);
            if (pods) {
                Path template = root.resolve("pod.yaml");
                Files.writeString(template, TEMPLATE);
                env.putAll(Map.of("AGENT_RUNTIME", "kubernetes", "SESSION_POD_TEMPLATE", template.toString(),
                        "SESSION_MOUNT_PATH", mounts.resolve("session").toString(), "KUBERNETES_MASTER",
                        kube.masterUrl(), "KUBERNETES_AUTH_TOKEN", "bench"));
            } else {
                env.remove("SESSION_CLAUDE_BIN");
            }
            BridgeConfig config = BridgeConfig.fromEnv(BotEnvironment.of(root, discord, api, env));
            Application app = Application.start(config, Clock.systemUTC()).block(WAIT);
            return new World(discord, api, kube, app, root, mounts);
        }

        String main() {
            return discord.ids().mainChannelId();
        }

        void await(String thread, Predicate<String> content) {
            discord.changes()
                    .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                    .map(c -> c instanceof Change.MessageCreated mc ? mc.message()
                            : ((Change.MessageEdited) c).message())
                    .filter(m -> m.byBot() && m.channelId().equals(thread) && content.test(m.content()))
                    .blockFirst(WAIT);
        }

        @Override
        public void close() throws IOException {
            app.stop(Duration.ofSeconds(20)).block(Duration.ofSeconds(40));
            kube.close();
            api.close();
            discord.close();
            for (Path dir : List.of(root, mounts)) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
