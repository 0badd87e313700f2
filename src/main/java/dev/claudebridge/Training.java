package dev.claudebridge;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.ops.BridgeMetrics;
import dev.claudebridge.ops.Ops;
import dev.claudebridge.ops.OpsServer;
import dev.claudebridge.ops.ReadinessCheck;
import dev.claudebridge.support.BotSchedulers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * {@code java -XX:AOTCacheOutput=claude-bridge.aot -jar claude-bridge.jar --train}: the start-up path run once against
 * nothing, then a clean exit, so the JVM records the classes start-up loads and links (and how its methods ran) into
 * an AOT cache; a bot started with {@code -XX:AOTCache=claude-bridge.aot} maps them instead of loading, verifying and
 * linking them again (JEP 483, 514, 515). The Dockerfile runs it at build time with the image's own JRE and jar, which
 * the cache must match; docs/deploy.md.
 *
 * <p>It needs no network, no Discord, no settings and no credentials: it starts the real {@link Application} with a
 * made-up configuration in a temporary directory, whose Discord is a port on 127.0.0.1 where nothing listens. So the
 * CLI's check (the image's own CLI, {@code CLAUDE_BIN}), the ops endpoint, the H2 store with its Flyway migrations,
 * the stop of leftovers and the Discord client up to its first request all run as they do in production; the login
 * then fails, as it must here, and the start undoes itself. The ops endpoint is then asked for each of its pages.
 * What only a real gateway session loads (the gateway's payloads, the events, the first CLI turn) is left out: those
 * classes load as they did before the cache.
 */
public final class Training {

    /** The argument that runs the training instead of the bot (Main; the Dockerfile's training step). */
    public static final String FLAG = "--train";
    private static final Logger log = LoggerFactory.getLogger(Training.class);
    /** The start can only fail (nothing listens); the bound is for a Discord client that would keep trying. */
    private static final Duration START_ATTEMPT = Duration.ofSeconds(30);

    private Training() {
    }

    /**
     * Runs the training; 0 when it went through (the login failing is part of it), 1 when it could not (the CLI
     * cannot be run, say: an image whose bot could not start either).
     *
     * @param real the process's environment, of which only {@code CLAUDE_BIN} and {@code PATH} are read
     */
    static int run(Map<String, String> real) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("claude-bridge-training-");
            BridgeConfig config = BridgeConfig.fromEnv(environment(dir, real));
            Files.createDirectories(config.workspaceRoot());
            startAgainstNothing(config);
            askTheOpsEndpoint();
            log.info("training done");
            return 0;
        } catch (IOException | RuntimeException e) {
            log.error("training failed", e);
            return 1;
        } finally {
            delete(dir);
        }
    }

    /**
     * A configuration of made-up ids whose Discord is a closed port of 127.0.0.1, with everything the bot writes under
     * {@code dir}. Of the real environment only {@code CLAUDE_BIN} and {@code PATH} are used, so the check runs the
     * CLI the bot will run.
     */
    static Map<String, String> environment(Path dir, Map<String, String> real) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("DISCORD_TOKEN", "MTExMTExMTExMTExMTExMTEx.training.not-a-token");
        env.put("DISCORD_API_BASE_URL", "http://127.0.0.1:" + closedPort() + "/api/v10");
        env.put("DISCORD_GUILD_ID", "200000000000000000");
        env.put("DISCORD_MAIN_CHANNEL_ID", "300000000000000001");
        env.put("ALLOWED_USER_IDS", "400000000000000001");
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("HOME", dir.toString());
        env.put("OPS_PORT", "0");
        env.put("ANTHROPIC_API_KEY", "training-not-a-key");
        for (String name : List.of("CLAUDE_BIN", "PATH")) {
            if (real.get(name) != null) {
                env.put(name, real.get(name));
            }
        }
        return env;
    }

    private static void startAgainstNothing(BridgeConfig config) {
        try {
            Application app = Application.start(config, Clock.systemUTC()).block(START_ATTEMPT);
            // Not expected (nothing listens), but if it did start, it stops as a drain would stop it.
            if (app != null) {
                app.stop(Duration.ofSeconds(10)).block(Duration.ofSeconds(15));
            }
        } catch (dev.claudebridge.config.ConfigException e) {
            // The CLI cannot be run, or is too old: the image is broken, and its build should say so.
            throw new IllegalStateException("the start-up checks failed: " + String.join("; ", e.lines()), e);
        } catch (RuntimeException expected) {
            log.info("start-up stopped at the login, as expected without Discord: {}", expected.toString());
        }
    }

    /** Each page of the ops endpoint once, as the probes and the scraper ask for them. */
    private static void askTheOpsEndpoint() {
        BotSchedulers schedulers = BotSchedulers.create();
        try (BridgeMetrics metrics = Ops.metrics()) {
            OpsServer ops = Ops.serve(0, List.of(new ReadinessCheck("training", () -> Mono.just(true))), metrics,
                    schedulers.ops()).block(START_ATTEMPT);
            HttpClient http = HttpClient.create().baseUrl("http://127.0.0.1:" + ops.port());
            Flux.just("/healthz", "/readyz", "/metrics")
                    .concatMap(path -> http.get().uri(path).responseSingle((response, body) -> body.asString()
                            .defaultIfEmpty("").map(text -> path + " " + response.status().code())))
                    .doOnNext(answer -> log.info("training: {}", answer))
                    .then(ops.stop())
                    .block(START_ATTEMPT);
        } finally {
            schedulers.close();
        }
    }

    /** A port of 127.0.0.1 that nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
