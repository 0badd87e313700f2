package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudebridge.Application;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.session.ThreadSession;
import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.FakeMattermost;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot as {@code Main} wires it ({@link Application}) with Mattermost only, and with Discord and Mattermost at
 * once (issue 11): the real Mattermost adapter against {@link FakeMattermost}, the real Discord4J client against
 * {@link FakeDiscord}, the real CLI against {@link FakeAnthropicApi} and the real H2 store. {@code /readyz} has one
 * check per configured platform, named after it; a prompt on each platform starts a session in the one registry.
 */
@Timeout(240)
final class PlatformWiringTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    @Test
    void mattermostOnlyHasAMattermostCheckAndNoDiscordOne() throws Exception {
        try (FakeMattermost mm = FakeMattermost.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            BridgeConfig config = BridgeConfig.fromEnv(BotEnvironment.mattermost(root, mm, api, Map.of()));
            assertThat(config.discordEnabled()).isFalse();
            Application app = Application.start(config, Clock.systemUTC()).block(WAIT);
            try {
                OpsHttp ops = new OpsHttp(app.opsPort());
                assertThat(checks(ops.get("/readyz")))
                        .containsExactly("mattermost", "database", "store-writes", "not-draining");
                // Ready once the WebSocket is open (serve opens it; connected() says when).
                assertThat(ops.await("/readyz", a -> a.status() == 200, WAIT).body())
                        .isEqualTo("ready\nmattermost: ok\ndatabase: ok\nstore-writes: ok\nnot-draining: ok\n");
                assertThat(app.mattermost()).isPresent();
                assertThatThrownBy(app::bot).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("DISCORD_TOKEN");

                String thread = mattermostSession(mm, api, "hello from mattermost");
                assertThat(app.sessions().get("mattermost", thread)).isPresent();
            } finally {
                app.stop(Duration.ofSeconds(15)).block(Duration.ofSeconds(30));
            }
            assertThat(new OpsHttp(app.opsPort()).get("/healthz").status()).as("released after the stop").isZero();
            assertThat(mm.openWebSockets()).as("the WebSocket is closed after the stop").isZero();
        }
    }

    @Test
    void bothPlatformsShareOneRegistryAndEachHasItsCheck() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeMattermost mm = FakeMattermost.start();
                FakeAnthropicApi api = FakeAnthropicApi.start()) {
            BridgeConfig config = BridgeConfig.fromEnv(BotEnvironment.of(root, discord, api,
                    BotEnvironment.mattermostSettings(mm)));
            Application app = Application.start(config, Clock.systemUTC()).block(WAIT);
            try {
                OpsHttp ops = new OpsHttp(app.opsPort());
                assertThat(checks(ops.get("/readyz")))
                        .containsExactly("discord", "mattermost", "database", "store-writes", "not-draining");
                assertThat(ops.await("/readyz", a -> a.status() == 200, WAIT).body()).isEqualTo(
                        "ready\ndiscord: ok\nmattermost: ok\ndatabase: ok\nstore-writes: ok\nnot-draining: ok\n");

                String mmThread = mattermostSession(mm, api, "hello from mattermost");
                api.on(Match.userTextContains("hello from discord"), Reply.text("Discord answered."));
                discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "hello from discord");
                String discordThread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block()
                        .thread().id();
                // The live reply is edited until its footer: created or edited, whichever shows the answer.
                discord.changes()
                        .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                        .map(c -> c instanceof Change.MessageCreated mc ? mc.message()
                                : ((Change.MessageEdited) c).message())
                        .filter(m -> m.byBot() && m.channelId().equals(discordThread)
                                && m.content().contains("Discord answered.") && m.content().contains("⏱"))
                        .blockFirst(WAIT);

                List<String> platforms = app.sessions().all().stream().map(ThreadSession::identity)
                        .map(id -> id.platform() + ":" + id.threadId()).toList();
                assertThat(platforms).containsExactlyInAnyOrder("mattermost:" + mmThread, "discord:" + discordThread);
                assertThat(app.bot().sessions()).isSameAs(app.sessions());
                assertThat(app.mattermost().orElseThrow().sessions()).isSameAs(app.sessions());
            } finally {
                app.stop(Duration.ofSeconds(15)).block(Duration.ofSeconds(30));
            }
            assertThat(mm.openWebSockets()).as("the WebSocket is closed after the stop").isZero();
        }
    }

    /** One platform's login fails: the start fails, and the other platform, the store and the ops port are undone. */
    @Test
    void aFailedMattermostLoginUndoesDiscordsToo() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeMattermost mm = FakeMattermost.start();
                FakeAnthropicApi api = FakeAnthropicApi.start()) {
            Map<String, String> mattermost = new HashMap<>(BotEnvironment.mattermostSettings(mm));
            mattermost.put("MATTERMOST_TOKEN", "revokedtoken0000000000000a");
            mattermost.put("OPS_PORT", String.valueOf(freePort()));
            BridgeConfig config = BridgeConfig.fromEnv(BotEnvironment.of(root, discord, api, mattermost));

            assertThatThrownBy(() -> Application.start(config, Clock.systemUTC()).block(WAIT))
                    .hasMessageContaining("401");

            assertThat(new OpsHttp(config.opsPort()).get("/healthz").status()).as("the ops port is released")
                    .isZero();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (discord.gatewayConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(discord.gatewayConnections()).as("Discord logged out again").isZero();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The owner's {@code !new} in the direct message with the bot; the session's thread once the model answered. */
    private static String mattermostSession(FakeMattermost mm, FakeAnthropicApi api, String prompt) {
        api.on(Match.userTextContains(prompt), Reply.text("Mattermost answered."));
        String dm = mm.directChannel(mm.owner(), mm.bot()).id();
        mm.post(mm.owner(), dm, "!new " + prompt);
        Predicate<MmPost> byBot = p -> p.userId().equals(mm.bot().id()) && !p.deleted();
        String thread = mm.awaitPost(byBot.and(p -> p.channelId().equals(dm) && p.rootId().isEmpty()
                && p.message().equals(prompt)), WAIT).id();
        mm.awaitPost(byBot.and(p -> p.rootId().equals(thread) && p.message().contains("Mattermost answered.")
                && p.message().contains("⏱")), WAIT);
        return thread;
    }

    /** The names of the checks {@code /readyz} lists, in order, after its first line ("ready" or "not ready: ..."). */
    private static List<String> checks(OpsHttp.Answer answer) {
        assertThat(answer.status()).isIn(200, 503);
        List<String> lines = answer.body().lines().toList();
        assertThat(lines.getFirst()).matches("ready|not ready: [a-z-]+(, [a-z-]+)*");
        assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l).matches("[a-z-]+: (ok|failing)"));
        return lines.subList(1, lines.size()).stream().map(l -> l.substring(0, l.indexOf(':'))).toList();
    }
}
