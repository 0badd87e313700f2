package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.Application;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.session.ThreadSession;
import dev.claudebridge.persistence.PostgresServer;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.FakeRoutes;
import dev.claudebridge.testkit.discord.FakeUser;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ops endpoint of the whole bot (docs/architecture.md §3.12): alive at once; ready only while the gateway is
 * connected and the database answers; Prometheus meters after a real turn, with no ids in them.
 */
@Timeout(240)
final class OpsEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aliveAtOnceAndReadyOnlyOnceTheGatewayIsConnected() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            // Discord4J asks for the gateway URL first: a slow answer holds the login back.
            discord.delayRoute(FakeRoutes.GATEWAY, Duration.ofSeconds(5));
            discord.delayRoute(FakeRoutes.GATEWAY_BOT, Duration.ofSeconds(5));
            int port = freePort();
            BridgeConfig config = BridgeConfig.fromEnv(BotWorld.environment(root, discord, api,
                    Map.of("OPS_PORT", String.valueOf(port))));
            CompletableFuture<Application> starting = Application.start(config, Clock.systemUTC()).toFuture();
            OpsHttp ops = new OpsHttp(port);

            OpsHttp.Answer alive = ops.await("/healthz", a -> a.status() == 200, WAIT);
            assertThat(alive.body()).isEqualTo("ok\n");
            OpsHttp.Answer duringLogin = ops.get("/readyz");
            boolean stillLoggingIn = !starting.isDone();
            assertThat(stillLoggingIn).as("the gateway login was still under way").isTrue();
            assertThat(duringLogin.status()).isEqualTo(503);
            assertThat(duringLogin.body()).startsWith("not ready: discord").contains("discord: failing");

            Application app = starting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try {
                assertThat(app.opsPort()).isEqualTo(port);
                OpsHttp.Answer ready = ops.await("/readyz", a -> a.status() == 200, WAIT);
                assertThat(ready.body()).isEqualTo("ready\ndiscord: ok\ndatabase: ok\nstore-writes: ok\nnot-draining: ok\n");
                assertThat(ops.get("/healthz").status()).isEqualTo(200);
                OpsHttp.Answer missing = ops.get("/nothing-here");
                assertThat(missing.status()).as(missing.body()).isEqualTo(404);
            } finally {
                app.stop(Duration.ofSeconds(15)).block(Duration.ofSeconds(30));
            }
            assertThat(ops.get("/healthz").status()).as("the port is released after the stop").isZero();
        }
    }

    @Test
    void notReadyWhileTheDatabaseIsDown() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            String url = postgres.createDatabase();
            try (BotWorld world = BotWorld.start(root, s -> s, Map.of("DATABASE_URL", url))) {
                OpsHttp ops = new OpsHttp(world.app.opsPort());
                assertThat(ops.await("/readyz", a -> a.status() == 200, WAIT).body()).contains("database: ok");

                postgres.stop();

                OpsHttp.Answer down = ops.await("/readyz", a -> a.status() == 503, WAIT);
                assertThat(down.body()).isEqualTo("not ready: database\ndiscord: ok\ndatabase: failing\nstore-writes: ok\n"
                        + "not-draining: ok\n");
                assertThat(ops.get("/healthz").status()).as("alive all the same").isEqualTo(200);
            }
        }
    }

    @Test
    void metricsAfterARealTurnNameWhatHappenedWithoutIds() throws Exception {
        // One request per second in all: the bot's burst at a session's start runs into Discord's global limit,
        // so 429s are received (and retried by Discord4J) for the meter to count.
        try (BotWorld world = BotWorld.start(root, s -> s.withGlobalPerSecond(1), Map.of())) {
            world.api.on(Match.userTextContains("metrics please"), Reply.text("Here are the figures."));
            world.discord.userMessage(FakeUser.OWNER, world.main(), "metrics please");
            String thread = world.awaitThread();
            world.awaitContent(thread, c -> c.startsWith("Here are the figures.") && c.contains("⏱"));
            ThreadSession session = world.app.sessions().get(thread).orElseThrow();

            OpsHttp ops = new OpsHttp(world.app.opsPort());
            // The footer is on screen a moment before the session is idle again: wait for both.
            String text = ops.await("/metrics", a -> a.status() == 200
                    && a.body().contains("bridge_turns_total{outcome=\"ok\"} 1.0")
                    && a.body().contains("bridge_sessions{state=\"idle\"} 1.0"), WAIT).body();

            assertThat(value(text, "bridge_sessions{state=\"idle\"}")).isEqualTo(1.0);
            assertThat(value(text, "bridge_sessions{state=\"running\"}")).isEqualTo(0.0);
            assertThat(value(text, "bridge_turn_duration_seconds_count{outcome=\"ok\"}")).isEqualTo(1.0);
            assertThat(value(text, "bridge_turn_duration_seconds_sum{outcome=\"ok\"}")).isPositive();
            BigDecimal cost = session.totals().costUsd();
            assertThat(cost).isPositive();
            assertThat(value(text, "bridge_cost_usd_total")).isCloseTo(cost.doubleValue(),
                    org.assertj.core.data.Offset.offset(1e-9));
            assertThat(value(text, "bridge_cli_starts_total")).isEqualTo(1.0);
            assertThat(value(text, "bridge_cli_deaths_total")).isEqualTo(0.0);
            assertThat(value(text, "bridge_clis_live")).isEqualTo(1.0);
            assertThat(value(text, "bridge_discord_requests_total{method=\"POST\","
                    + "route=\"/channels/{channel.id}/messages\",status=\"200\"}")).isPositive();
            assertThat(sum(text, "bridge_discord_edits_total")).isPositive();
            assertThat(world.discord.rateLimitedTotal()).as("the fake answered some requests with 429").isPositive();
            // Each 429 the fake sent is counted once (a late retry may still be under way: both only grow).
            // Each 429 the fake sent is counted once (a late retry may still be under way: both only grow).
            ops.await("/metrics", a -> total(a.body(), "bridge_discord_rate_limited_total")
                    == world.discord.rateLimitedTotal(), WAIT);
            // Each answer the fake gave is counted once, with its route template (the 429s included).
            try {
                ops.await("/metrics", a -> answers(a.body()).equals(world.discord.requestCounts()), WAIT);
            } catch (IllegalStateException timedOut) {
                assertThat(answers(ops.get("/metrics").body())).as("answers per route")
                        .isEqualTo(new TreeMap<>(world.discord.requestCounts()));
            }
            text.lines().filter(l -> l.startsWith("reactor_netty_http")).forEach(System.out::println);
            assertThat(text).contains("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads",
                    "system_cpu_count", "process_uptime_seconds", "reactor_netty_http_client_",
                    "reactor_netty_http_server_");
            // Low cardinality: no snowflake (thread, user, message, guild id) anywhere in the meters.
            assertThat(text).doesNotContain(thread, FakeUser.OWNER.id(), world.ids.guildId(), world.main());
            Matcher tags = Pattern.compile("\\{[^}\\n]*\\}").matcher(text);
            while (tags.find()) {
                assertThat(tags.group()).as("tags without ids").doesNotContainPattern("\\d{15,}");
            }
        }
    }

    /** {@code bridge_discord_requests_total} per "METHOD /route template", over every status. */
    private static Map<String, Long> answers(String exposition) {
        Matcher m = Pattern.compile("(?m)^bridge_discord_requests_total\\{method=\"(\\w+)\",route=\"([^\"]+)\","
                + "status=\"[^\"]+\"\\} (\\S+)$").matcher(exposition);
        Map<String, Long> counts = new TreeMap<>();
        while (m.find()) {
            counts.merge(m.group(1) + " " + m.group(2), (long) Double.parseDouble(m.group(3)), Long::sum);
        }
        return counts;
    }

    /** The value of one sample line, by its exact name and tags (tags in Prometheus' sorted order). */
    private static double value(String exposition, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(exposition);
        assertThat(m.find()).as("sample %s in\n%s", sample, exposition).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The sum over every sample of a meter, whatever its tags; 0 when it has none yet. */
    private static double total(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{.*\\})? (\\S+)$").matcher(exposition);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }

    /** The sum over every sample of a meter, whatever its tags. */
    private static double sum(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{.*\\})? (\\S+)$").matcher(exposition);
        double total = 0;
        boolean any = false;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
            any = true;
        }
        assertThat(any).as("meter %s in\n%s", name, exposition).isTrue();
        return total;
    }
}
