package dev.claudebridge;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.ConfigException;
import java.io.IOException;
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
import reactor.util.retry.Retry;

/**
 * {@code java -XX:AOTCacheOutput=claude-bridge.aot -jar claude-bridge.jar --train}: the bot's start-up run twice
 * against a stand-in Discord and a stand-in Mattermost on 127.0.0.1, then a clean exit, so the JVM records the
 * classes start-up loads and links (and how its methods ran) into an AOT cache; a bot started with
 * {@code -XX:AOTCache=claude-bridge.aot} maps them instead of loading, verifying and linking them again (JEP 483, 514,
 * 515). The Dockerfile runs it at build time with the image's own JRE and jar, which the cache must match;
 * docs/deploy.md.
 *
 * <p>It needs no network, no Discord, no settings and no credentials: the real {@link Application} starts with a
 * made-up configuration in a temporary directory, and its Discord is {@link TrainingDiscord}, which answers the login
 * (READY, the guild) and the slash commands, and its Mattermost {@link TrainingMattermost} (the bot account, the
 * allowed users, the WebSocket's hello). So the CLI's check (the image's own CLI, {@code CLAUDE_BIN}), the ops
 * endpoint, the H2 store with its Flyway migrations, the stop of leftovers, the Discord client, the gateway session,
 * the restore and the command registration all run as in production: the first start as on a new volume (migrations
 * applied, commands written), the second as a restart (schema up to date, commands unchanged). Between the two the
 * ops endpoint is asked for each page. What only users bring (messages, the CLI's turns) is left out: those classes
 * load as they did before the cache.
 */
public final class Training {

    /** The argument that runs the training instead of the bot (Main; the Dockerfile's training step). */
    public static final String FLAG = "--train";
    private static final Logger log = LoggerFactory.getLogger(Training.class);
    private static final Duration START = Duration.ofSeconds(30);
    /**
     * Attempts of the whole training. Rarely (seen once in about a dozen CI runs, under load) Discord4J's gateway
     * client failed on a frame of the stand-in (IllegalReferenceCountException inside the client) and never reached
     * READY; the cause is not found yet. A fresh attempt goes through; a CLI that cannot run fails every attempt.
     */
    private static final int ATTEMPTS = 2;

    private Training() {
    }

    /**
     * Runs the training; 0 when both starts went through, 1 when not (the CLI cannot be run, say: an image whose bot
     * could not start either, so its build should fail).
     *
     * @param real the process's environment, of which only {@code CLAUDE_BIN} and {@code PATH} are read
     */
    static int run(Map<String, String> real) {
        int status = 1;
        for (int attempt = 1; attempt <= ATTEMPTS && status != 0; attempt++) {
            status = attempt(real);
            if (status == 2) {
                return 1; // the start-up checks failed: another attempt would too
            }
        }
        return status == 0 ? 0 : 1;
    }

    /** One training: 0 when both starts went through, 2 when the start-up checks failed, 1 otherwise. */
    private static int attempt(Map<String, String> real) {
        Path dir = null;
        try (TrainingDiscord discord = TrainingDiscord.start();
                TrainingMattermost mattermost = TrainingMattermost.start()) {
            dir = Files.createTempDirectory("claude-bridge-training-");
            BridgeConfig config = BridgeConfig.fromEnv(environment(dir, discord.apiBaseUrl(), mattermost.url(),
                    real));
            Files.createDirectories(config.workspaceRoot());
            startAndStop(config, true);
            startAndStop(config, false);
            log.info("training done");
            return 0;
        } catch (ConfigException e) {
            log.error("training failed: the start-up checks failed: {}", String.join("; ", e.lines()));
            return 2;
        } catch (IOException | RuntimeException e) {
            log.error("training failed", e);
            return 1;
        } finally {
            delete(dir);
        }
    }

    /**
     * A configuration of made-up ids ({@code training/discord.json}) whose Discord is {@code apiBaseUrl} and whose
     * Mattermost is {@code mattermostUrl} (both platforms, so the cache serves either), with everything the bot
     * writes under {@code dir}. Of the real environment only {@code CLAUDE_BIN} and {@code PATH} are used, so the
     * check runs the CLI the bot will run.
     */
    static Map<String, String> environment(Path dir, String apiBaseUrl, String mattermostUrl,
            Map<String, String> real) {
        Map<String, String> env = new HashMap<>();
        env.put("MATTERMOST_URL", mattermostUrl);
        env.put("MATTERMOST_TOKEN", "training-not-a-token");
        env.put("MATTERMOST_ALLOWED_USERS", TrainingMattermost.USERNAME);
        env.put("DISCORD_TOKEN", "MTExMTExMTExMTExMTExMTEx.training.not-a-token"); // base64 of the bot's id
        env.put("DISCORD_API_BASE_URL", apiBaseUrl);
        env.put("DISCORD_GUILD_ID", "200000000000000000");
        env.put("DISCORD_MAIN_CHANNEL_ID", "300000000000000001");
        env.put("ALLOWED_USER_IDS", "400000000000000001");
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("HOME", dir.toString());
        env.put("OPS_PORT", "0");
        env.put("ANTHROPIC_API_KEY", "training-not-a-key");
        env.put("DRAIN_TIMEOUT", "25s");
        for (String name : List.of("CLAUDE_BIN", "PATH")) {
            if (real.get(name) != null) {
                env.put(name, real.get(name));
            }
        }
        return env;
    }

    /**
     * One start, until ready (both platforms connected: Mattermost's WebSocket opens after the start returns), and
     * its drain; with {@code askOps}, each page of the ops endpoint in between.
     */
    private static void startAndStop(BridgeConfig config, boolean askOps) {
        Application app = Application.start(config, Clock.systemUTC()).block(START);
        if (app == null) {
            throw new IllegalStateException("the start ended without the application");
        }
        try {
            awaitReady(app.opsPort());
            if (askOps) {
                askTheOpsEndpoint(app.opsPort());
            }
        } finally {
            app.stop(config.drainTimeout()).block(config.drainTimeout().plusSeconds(5));
        }
    }

    private static void awaitReady(int port) {
        HttpClient http = HttpClient.create().baseUrl("http://127.0.0.1:" + port);
        http.get().uri("/readyz").responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .flatMap(text -> response.status().code() == 200 ? Mono.just(text)
                                : Mono.error(new IllegalStateException("not ready: " + text))))
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(50)))
                .timeout(START)
                .doOnNext(text -> log.info("training: ready: {}", text.replaceAll("\\s+", " ")))
                .block();
    }

    /** Each page of the ops endpoint once, as the probes and the scraper ask for them. */
    private static void askTheOpsEndpoint(int port) {
        HttpClient http = HttpClient.create().baseUrl("http://127.0.0.1:" + port);
        Flux.just("/healthz", "/readyz", "/metrics")
                .concatMap(path -> http.get().uri(path).responseSingle((response, body) -> body.asString()
                        .defaultIfEmpty("").map(text -> path + " " + response.status().code())))
                .doOnNext(answer -> log.info("training: {}", answer))
                .then()
                .block(START);
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
