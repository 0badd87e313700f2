package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.FakeMattermost;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets stay secret, end to end, on the packaged bot as an OS process (what really reaches stdout and stderr): a
 * slash command (its interaction token travels in the callback and webhook URLs), two requests Discord refuses
 * (Discord4J's errors name the URL, the bot logs them), a scrape of {@code /metrics}, then two starts with a bad
 * {@code DATABASE_URL} carrying a password (one malformed, one a PostgreSQL nobody listens to). Neither the whole
 * output of the three processes nor {@code /metrics} contains the bot token, an interaction token the fake handed
 * out, the API key or a database password; the route and the status of the failed request are still there.
 */
@Timeout(300)
final class SecretsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Not the usual test key: the bot's redaction of {@code sk-ant-} keys must not be what hides it. */
    private static final String API_KEY = "sk-ant-api03-secretsIT-AAAAbbbbCCCCdddd-0123456789";
    private static final String DB_PASSWORD = "db-Pa55word-secretsIT";

    @TempDir
    Path root;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest(name = "LOG_FORMAT={0}")
    @ValueSource(strings = {"text", "json"})
    void noTokenKeyOrPasswordReachesTheLogsOrTheMetrics(String logFormat) throws Exception {
        List<String> secrets = new ArrayList<>(List.of(API_KEY, DB_PASSWORD));
        StringBuilder printed = new StringBuilder();
        String metrics;
        List<String> kept = new ArrayList<>();
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            secrets.add(discord.token());
            api.on(Match.userTextContains("say hello"), Reply.text("Hello from the fake model."));
            int port = freePort();
            Map<String, String> env = new HashMap<>(BotWorld.environment(root, discord, api, Map.of()));
            env.put("OPS_PORT", String.valueOf(port));
            env.put("LOG_FORMAT", logFormat);
            env.put("ANTHROPIC_API_KEY", API_KEY);
            Path log = root.resolve("bot.log");
            try (BotProcess bot = BotProcess.start(env, log)) {
                OpsHttp ops = new OpsHttp(port);
                ops.await("/readyz", a -> a.status() == 200, WAIT);

                // A slash command: the deferred acknowledgement (POST /interactions/{id}/{token}/callback) and the
                // answer (PATCH /webhooks/{application.id}/{token}/messages/@original) carry its token.
                InteractionRef started = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(), "new",
                        Map.of("prompt", "say hello"));
                secrets.add(started.token());
                String thread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
                awaitBotContent(discord, m -> m.channelId().equals(thread)
                        && m.content().contains("Hello from the fake model."));
                awaitBotContent(discord, m -> m.interactionId().map(started.id()::equals).orElse(false)
                        && m.content().contains("Session started"));

                // Failing requests, refused by Discord with 4xx (a 5xx would be retried by Discord4J for minutes):
                // /help acknowledged after the interaction's deadline (404 on the interaction URL), /status answered
                // after its token expired (401 on the webhook URL). The bot logs Discord4J's error for each.
                discord.updateSettings(s -> s.withInteractionDeadline(Duration.ofMillis(1)));
                InteractionRef late = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(), "help",
                        Map.of());
                secrets.add(late.token());
                kept.add("POST /interactions/" + late.id() + "/{interaction.token}/callback returned 404");
                awaitInFile(log, "handling Command failed", 1);
                discord.updateSettings(s -> s.withInteractionDeadline(Duration.ofSeconds(3))
                        .withInteractionTokenLifetime(Duration.ofMillis(1)));
                InteractionRef expired = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(),
                        "status", Map.of());
                secrets.add(expired.token());
                kept.add("PATCH /webhooks/" + discord.ids().applicationId()
                        + "/{webhook.token}/messages/@original returned 401");
                awaitInFile(log, "handling Command failed", 2);

                metrics = ops.get("/metrics").body();
                bot.process.destroy(); // SIGTERM: the drain, so the log is complete
                assertThat(bot.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                printed.append(Files.readString(log));
                System.out.println(printed);
            }
        }
        // The method, route, ids and status of each refused request are kept, in the log and in the metrics.
        assertThat(readable(printed)).contains("handling Command failed").contains(kept);
        assertThat(metrics).contains("route=\"/interactions/{interaction.id}/{interaction.token}/callback\"",
                "status=\"404\"", "status=\"401\"", "reactor_netty_http_client_");

        int badStarts = printed.length();
        // Starts with a bad DATABASE_URL: malformed (refused by the configuration), and well-formed but unreachable.
        printed.append(badStart(logFormat, "postgresql://bridge:" + DB_PASSWORD + "@db.example:5432/bridge"));
        printed.append(badStart(logFormat, "r2dbc:postgresql://bridge:" + DB_PASSWORD + "@127.0.0.1:"
                + freePort() + "/bridge?password=" + DB_PASSWORD));
        assertThat(printed.toString()).contains("DATABASE_URL: expected");

        System.out.println(printed.substring(badStarts));
        System.out.println(metrics);
        for (String secret : secrets) {
            assertThat(printed.toString()).as("the output of the bot").doesNotContain(secret);
            assertThat(readable(printed)).as("the output of the bot, unescaped").doesNotContain(secret);
            assertThat(metrics).as("/metrics").doesNotContain(secret);
        }
    }

    /** CLAUDE_ENV_PASSTHROUGH naming the bot's own token would hand it to the CLI: start-up stops, exit code 2. */
    @Test
    void aPassthroughNamingTheBotsTokenStopsStartUp() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            Map<String, String> env = new HashMap<>(BotWorld.environment(root, discord, api, Map.of()));
            env.put("CLAUDE_ENV_PASSTHROUGH", "CLAUDE_CODE_MAX_RETRIES,DISCORD_TOKEN");
            Path log = root.resolve("passthrough.log");
            try (BotProcess bot = BotProcess.start(env, log)) {
                assertThat(bot.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(bot.process.exitValue()).isEqualTo(2);
            }
            assertThat(Files.readString(log).strip()).isEqualTo("claude-bridge: CLAUDE_ENV_PASSTHROUGH: expected "
                    + "names of variables the CLI may see, never one of the bot's own secrets [DISCORD_TOKEN, "
                    + "MATTERMOST_TOKEN, DATABASE_URL], got 'DISCORD_TOKEN'");
        }
    }

    /**
     * Mattermost only: a session started and answered, {@code /metrics} scraped, the drain; then a start whose token
     * the server refuses. Neither the output nor {@code /metrics} holds the bot account's token (26 letters and
     * digits: no pattern finds it, only the configured value does).
     */
    @Test
    void theMattermostTokenReachesNeitherTheLogsNorTheMetrics() throws Exception {
        StringBuilder printed = new StringBuilder();
        String metrics;
        String token;
        try (FakeMattermost mm = FakeMattermost.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            token = mm.bot().token();
            api.on(Match.userTextContains("say hello"), Reply.text("Hello from the fake model."));
            int port = freePort();
            Map<String, String> env = new HashMap<>(BotEnvironment.mattermost(root, mm, api, Map.of()));
            env.put("OPS_PORT", String.valueOf(port));
            env.put("LOG_FORMAT", "json");
            Path log = root.resolve("mattermost.log");
            try (BotProcess bot = BotProcess.start(env, log)) {
                OpsHttp ops = new OpsHttp(port);
                assertThat(ops.await("/readyz", a -> a.status() == 200, WAIT).body()).contains("mattermost: ok");
                String dm = mm.directChannel(mm.owner(), mm.bot()).id();
                mm.post(mm.owner(), dm, "!new say hello");
                mm.awaitPost(p -> p.userId().equals(mm.bot().id()) && !p.rootId().isEmpty()
                        && p.message().contains("Hello from the fake model."), WAIT);
                metrics = ops.get("/metrics").body();
                bot.process.destroy(); // SIGTERM: the drain, so the log is complete
                assertThat(bot.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                printed.append(Files.readString(log));
            }

            // A token the server does not know (revoked, say): the login fails, and says so without the token.
            Map<String, String> refused = new HashMap<>(BotEnvironment.mattermost(root, mm, api,
                    Map.of("MATTERMOST_TOKEN", "zq" + token.substring(2))));
            Path refusedLog = root.resolve("refused.log");
            try (BotProcess bot = BotProcess.start(refused, refusedLog)) {
                assertThat(bot.process.waitFor(90, TimeUnit.SECONDS)).as("a refused login stops start-up").isTrue();
                assertThat(bot.process.exitValue()).isNotZero();
            }
            String refusedOutput = Files.readString(refusedLog);
            assertThat(refusedOutput).contains("401").doesNotContain("zq" + token.substring(2));
            printed.append(refusedOutput);
        }
        System.out.println(printed);
        assertThat(printed.toString()).contains("mattermost");
        assertThat(printed.toString()).as("the output of the bot").doesNotContain(token);
        assertThat(metrics).as("/metrics").doesNotContain(token);
    }

    /** A start with this DATABASE_URL that must fail; everything it printed (stdout and stderr). */
    private String badStart(String logFormat, String databaseUrl) throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            Map<String, String> env = new HashMap<>(BotWorld.environment(root, discord, api, Map.of()));
            env.put("LOG_FORMAT", logFormat);
            env.put("ANTHROPIC_API_KEY", API_KEY);
            env.put("DATABASE_URL", databaseUrl);
            Path log = Files.createTempFile(root, "bad-start", ".log");
            try (BotProcess bot = BotProcess.start(env, log)) {
                assertThat(bot.process.waitFor(90, TimeUnit.SECONDS)).as("a bad database stops start-up").isTrue();
                assertThat(bot.process.exitValue()).isNotZero();
            }
            return Files.readString(log);
        }
    }

    /** The output with JSON's escaped slashes ({@code \\/}) written plainly, as a reader of the log sees them. */
    private static String readable(CharSequence output) {
        return output.toString().replace("\\/", "/");
    }

    private static void awaitBotContent(FakeDiscord discord, Predicate<PostedMessage> matches) {
        assertThat(discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.byBot() && matches.test(m))
                .blockFirst(WAIT)).as("a bot message").isNotNull();
    }

    /** Reads the file on the test thread (never on a Reactor thread, where BlockHound forbids it) until it has text. */
    private static void awaitInFile(Path file, String text, int times) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Files.readString(file).split(java.util.regex.Pattern.quote(text), -1).length - 1 < times) {
            assertThat(System.nanoTime()).as("%s in the log within %s", text, WAIT).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
