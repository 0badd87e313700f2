package dev.claudebridge.bench;

import ch.qos.logback.classic.Level;
import dev.claudebridge.mattermost.MattermostWorld;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * The figures of the Mattermost issue: a long answer streamed at 40 tokens/s in N concurrent sessions against
 * {@code FakeMattermost} with the server's rate limiter on at Mattermost's documented defaults (10 requests/s, burst
 * 100, per address), through the bot's Mattermost adapter with live-reply edits paced adaptively (the default) and,
 * in the same run, by a fixed {@code EDIT_INTERVAL=1500ms}.
 *
 * <p>The bot runs in this JVM (the Mattermost adapter, the core, the real pinned CLI per session against
 * {@link FakeAnthropicApi}), wired as {@code MattermostWorld} wires it for the end-to-end tests. Visible lag of a
 * token = the first time the fake server holds a bot post (created or patched) containing it, sampled every 10 ms
 * (so up to 10 ms late), minus the time the token left the fake model. REST calls per reply = every request the
 * bot made to the server during the run (posts, patches, reads, reactions, status), divided by N. 429s = answers
 * the server's limiter refused.
 *
 * <p>Run: {@code ./mvnw -q -DbuildDir=target-bench -Prun test-compile
 * -Dmain=dev.claudebridge.bench.MattermostStreamingBench -Dargs="--ns 1,10 --tokens 200"}. Writes the table to
 * stdout and to {@code <buildDir>/bench/mattermost-streaming.md}.
 */
public final class MattermostStreamingBench {
    private static final Pattern TOKEN = Pattern.compile("s\\d\\dw\\d{4}");

    private record Row(String interval, int n, int finished, int tokens, int seen, double p50, double p95, double max,
            double callsPerReply, long limited, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        List<Integer> ns = List.of(1, 10);
        int tokens = 200;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--ns" -> ns = java.util.Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                case "--tokens" -> tokens = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int n : ns) {
            for (String interval : List.of("adaptive", "1500ms")) {
                rows.add(run(n, tokens, interval));
                System.out.println(format(rows.getLast()));
            }
        }
        StringBuilder table = new StringBuilder("| EDIT_INTERVAL | N | replies done | tokens | seen | lag p50 ms | lag p95 ms |"
                + " lag max ms | REST calls per reply | 429s | run s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        rows.forEach(r -> table.append(format(r)).append('\n'));
        System.out.println(table);
        Path out = Path.of(System.getProperty("buildDir", "target"), "bench", "mattermost-streaming.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    private static String format(Row r) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %.0f | %.0f | %.0f | %.1f | %d | %.1f |",
                r.interval(), r.n(), r.finished(), r.tokens(), r.seen(), r.p50(), r.p95(), r.max(), r.callsPerReply(),
                r.limited(), r.seconds());
    }

    private static Row run(int n, int tokens, String interval) throws Exception {
        Path root = Files.createTempDirectory("mm-bench");
        Map<String, String> extra = new HashMap<>(Map.of("MAX_SESSIONS_PER_USER", String.valueOf(n + 1),
                "MAX_LIVE_CLIS", String.valueOf(n + 1)));
        if (!interval.equals("adaptive")) {
            extra.put("EDIT_INTERVAL", interval);
        }
        try (MattermostWorld world = MattermostWorld.start(root, true, FakeMattermostSettings.defaults()
                .withRateLimit(FakeMattermostSettings.RateLimit.serverDefaults()), extra)) {
            for (int s = 0; s < n; s++) {
                StringBuilder answer = new StringBuilder();
                for (int w = 0; w < tokens; w++) {
                    answer.append(String.format(Locale.ROOT, "s%02dw%04d ", s, w));
                }
                world.api.on(Match.userTextContains(String.format(Locale.ROOT, "bench session %02d", s)),
                        Reply.text(answer.toString().strip()).tokensPerSecond(40));
            }
            long callsBefore = world.mm.requestCounts().values().stream().mapToLong(Long::longValue).sum();
            long limitedBefore = world.mm.rateLimited();
            String bot = world.mm.bot().id();
            Map<String, Instant> seen = new ConcurrentHashMap<>();
            long start = System.nanoTime();
            String dm = world.ownerDm();
            java.util.Set<String> answered = new java.util.HashSet<>();
            for (int s = 0; s < n; s++) {
                world.mm.post(world.mm.owner(), dm, String.format(Locale.ROOT, "!new bench session %02d", s));
                if (s > 0) { // a user with a session is asked to confirm another: the owner clicks Start
                    String asked;
                    try {
                        asked = world.mm.awaitPost(p -> p.userId().equals(bot) && p.channelId().equals(dm)
                                && p.message().contains("Start another?") && p.attachments().size() > 0
                                && !answered.contains(p.id()), Duration.ofSeconds(30)).id();
                    } catch (AssertionError e) {
                        world.mm.posts(dm).forEach(p -> System.err.println("in the DM: " + p));
                        throw e;
                    }
                    answered.add(asked);
                    world.mm.click(world.mm.owner(), asked, "r0b0", "");
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60L + tokens / 40 * 3L).toNanos();
            int finished = 0;
            while (System.nanoTime() < deadline) {
                Instant now = Instant.now();
                finished = 0;
                for (MmPost p : world.mm.allPosts()) {
                    if (!p.userId().equals(bot)) {
                        continue;
                    }
                    Matcher m = TOKEN.matcher(p.message());
                    while (m.find()) {
                        seen.putIfAbsent(m.group(), now);
                    }
                    if (p.message().contains("⏱") && TOKEN.matcher(p.message()).find()) {
                        finished++;
                    }
                }
                if (finished >= n && seen.size() >= n * tokens) {
                    break;
                }
                Thread.sleep(10);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long calls = world.mm.requestCounts().values().stream().mapToLong(Long::longValue).sum() - callsBefore;
            long limited = world.mm.rateLimited() - limitedBefore;
            Map<String, Instant> sent = new HashMap<>();
            for (FakeAnthropicApi.SentTextDelta d : world.api.sentTextDeltas()) {
                Matcher m = TOKEN.matcher(d.text());
                while (m.find()) {
                    sent.putIfAbsent(m.group(), d.at());
                }
            }
            List<Double> lags = new ArrayList<>();
            sent.forEach((token, at) -> {
                Instant shown = seen.get(token);
                if (shown != null) {
                    lags.add((double) Duration.between(at, shown).toMillis());
                }
            });
            lags.sort(Double::compare);
            return new Row(interval, n, finished, n * tokens, seen.size(), pct(lags, 0.50), pct(lags, 0.95),
                    lags.isEmpty() ? Double.NaN : lags.getLast(), (double) calls / n, limited, seconds);
        }
    }

    private static double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
