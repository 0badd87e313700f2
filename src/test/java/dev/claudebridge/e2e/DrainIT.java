package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.persistence.Persistence;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * SIGTERM to the packaged bot, as Kubernetes sends it (docs/architecture.md §3.12): during a running turn the bot says so
 * in the thread, interrupts the turn, stops the CLI, keeps the queued prompt and the session ({@code stopped}) in the
 * store, and exits 0 within {@code DRAIN_TIMEOUT}; its log never shows a secret. With {@code LOG_FORMAT=json} every
 * stdout line is one JSON object.
 */
@Timeout(300)
final class DrainIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** BotWorld's DRAIN_TIMEOUT is 12 s; the JVM's own exit and the halt take well under the margin. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(12);
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(3);

    @TempDir
    Path root;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static PostedMessage await(FakeDiscord discord, Predicate<PostedMessage> matches) {
        return discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.byBot() && matches.test(m))
                .blockFirst(WAIT);
    }

    @Test
    void sigtermDuringATurnDrainsAndExitsZero() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            api.on(Match.userTextContains("slow story"), Reply.text("word ".repeat(500)).tokensPerSecond(3))
                    .on(Match.userTextContains("item-A"), Reply.text("Answer A."));
            int port = freePort();
            Map<String, String> env = BotWorld.environment(root, discord, api, Map.of("OPS_PORT",
                    String.valueOf(port)));
            Path log = root.resolve("bot.log");
            try (BotProcess bot = BotProcess.start(env, log)) {
                try {
                    OpsHttp ops = new OpsHttp(port);
                    ops.await("/readyz", a -> a.status() == 200, WAIT);

                    discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "tell a slow story");
                    String thread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
                    await(discord, m -> m.channelId().equals(thread) && m.content().startsWith("word"));
                    String queued = discord.userMessage(FakeUser.OWNER, thread, "queued item-A");
                    discord.next(Change.ReactionAdded.class, r -> r.messageId().equals(queued), WAIT).block();
                    List<ProcessHandle> clis = bot.clis();
                    assertThat(clis).hasSize(1);
                    List<ProcessHandle> cliTree = Flux.concat(Flux.fromIterable(clis),
                            Flux.fromStream(clis.get(0).descendants())).collectList().block();

                    long sent = System.nanoTime();
                    bot.process.destroy(); // SIGTERM
                    boolean exited = bot.process.waitFor(DRAIN_TIMEOUT.plus(EXIT_MARGIN).toMillis(),
                            TimeUnit.MILLISECONDS);
                    Duration took = Duration.ofNanos(System.nanoTime() - sent);

                    assertThat(exited).as("exited within DRAIN_TIMEOUT + %s", EXIT_MARGIN).isTrue();
                    assertThat(bot.process.exitValue()).isZero();
                    System.out.println("drain took " + took.toMillis() + " ms");
                    assertThat(cliTree).as("the CLI and its children are gone").noneMatch(ProcessHandle::isAlive);
                    assertThat(discord.messages(thread).stream().filter(PostedMessage::byBot)
                            .map(m -> discord.message(m.id()).content()))
                            .anyMatch(c -> c.startsWith("🔄 Restarting: this turn is interrupted."));

                    List<SessionStore.SessionRecord> sessions = stored(root.resolve("data"),
                            store -> store.loadSessions());
                    assertThat(sessions).singleElement().satisfies(s -> {
                        assertThat(s.platform()).isEqualTo("discord");
                        assertThat(s.threadId()).isEqualTo(thread);
                        assertThat(s.state()).isEqualTo("STOPPED");
                        assertThat(s.turnRunning()).as("the interrupted turn was wrapped up").isFalse();
                    });
                    assertThat(stored(root.resolve("data"), store -> store.inbox("discord", thread)))
                            .extracting(SessionStore.QueuedPrompt::text).containsExactly("queued item-A");
                    assertThat(stored(root.resolve("data"), store -> store.turns("discord", thread)))
                            .extracting(SessionStore.TurnRecord::outcome).containsExactly("interrupted");
                    assertThat(stored(root.resolve("data"), store -> store.children().all())).isEmpty();
                } finally {
                    System.out.println(Files.readString(log));
                }
            }
            String everything = Files.readString(log);
            assertThat(everything).contains("drained with").doesNotContain("logout failed", "closing the store failed");
            assertNoSecrets(everything, env);
        }
    }

    @Test
    void jsonLogsAreOneObjectPerLine() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            int port = freePort();
            Map<String, String> env = new HashMap<>(BotWorld.environment(root, discord, api, Map.of()));
            env.put("OPS_PORT", String.valueOf(port));
            env.put("LOG_FORMAT", "json");
            Path stdout = root.resolve("stdout.log");
            Path stderr = root.resolve("stderr.log");
            try (BotProcess bot = BotProcess.start(env, stdout, stderr)) {
                new OpsHttp(port).await("/readyz", a -> a.status() == 200, WAIT);
                bot.process.destroy();
                assertThat(bot.process.waitFor(DRAIN_TIMEOUT.plus(EXIT_MARGIN).toMillis(), TimeUnit.MILLISECONDS))
                        .isTrue();
                assertThat(bot.process.exitValue()).isZero();
            }
            List<String> lines = Files.readAllLines(stdout);
            System.out.println(String.join("\n", lines));
            assertThat(lines).hasSizeGreaterThan(3);
            ObjectMapper json = new ObjectMapper();
            for (String line : lines) {
                JsonNode entry = json.readTree(line);
                assertThat(entry.isObject()).as(line).isTrue();
                assertThat(entry.path("level").asText()).as(line).isNotEmpty();
                assertThat(entry.path("loggerName").asText()).as(line).isNotEmpty();
                assertThat(entry.has("formattedMessage")).as(line).isTrue();
            }
            assertThat(lines).anyMatch(l -> l.contains("logged in; waiting for events"));
            assertNoSecrets(Files.readString(stdout) + Files.readString(stderr), env);
        }
    }

    /** The Discord token and the API key appear nowhere in what the bot printed. */
    private static void assertNoSecrets(String output, Map<String, String> env) {
        assertThat(output).doesNotContain(env.get("DISCORD_TOKEN"), env.get("ANTHROPIC_API_KEY"));
    }

    private static <T> List<T> stored(Path dataDir,
            java.util.function.Function<SessionStore, org.reactivestreams.Publisher<T>> query) {
        Scheduler db = Schedulers.newBoundedElastic(1, 100, "db-check");
        try {
            return Persistence.withStore(Persistence.h2Url(dataDir), db, query).collectList().block(WAIT);
        } finally {
            db.dispose();
        }
    }
}
