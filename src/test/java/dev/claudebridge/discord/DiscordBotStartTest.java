package dev.claudebridge.discord;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.session.FakeAgents;
import dev.claudebridge.core.session.InMemorySessionStore;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import discord4j.discordjson.json.ApplicationCommandRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * The adapter's two-step start ({@link DiscordBot#login}, then {@link DiscordBot#serve}) with the real Discord4J
 * client against {@link FakeDiscord} and the core on port fakes: the slash commands are written only when what
 * Discord has differs, and the events that arrive between the gateway's READY and {@code serve} are all handled.
 */
@Timeout(60)
final class DiscordBotStartTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private FakeDiscord discord;
    private BridgeConfig config;

    @BeforeEach
    void fake() {
        discord = FakeDiscord.start();
        config = BridgeConfig.fromEnv(Map.of(
                "DISCORD_TOKEN", discord.token(),
                "DISCORD_API_BASE_URL", discord.apiBaseUrl(),
                "DISCORD_GUILD_ID", discord.ids().guildId(),
                "DISCORD_MAIN_CHANNEL_ID", discord.ids().mainChannelId(),
                "ALLOWED_USER_IDS", FakeUser.OWNER.id(),
                "WORKSPACE_ROOT", root.toString(),
                "DATA_DIR", root.toString()));
    }

    @AfterEach
    void stop() {
        discord.close();
    }

    @Test
    void theCommandsAreWrittenOnlyWhenWhatDiscordHasDiffers() {
        startAndStop();
        assertThat(commandWrites()).as("a first start registers the commands").isEqualTo(1);
        assertThat(registeredNames()).containsExactlyInAnyOrder("new", "sessions", "stop", "continue", "model", "mode",
                "status", "export", "download", "compact", "clear", "stopall", "help");

        long readsBefore = discord.requestCounts().getOrDefault(
                "GET /applications/{application.id}/guilds/{guild.id}/commands", 0L);
        startAndStop();
        assertThat(commandWrites()).as("a second start with the same commands writes none").isEqualTo(1);
        assertThat(discord.requestCounts().get("GET /applications/{application.id}/guilds/{guild.id}/commands"))
                .as("it asked Discord what it has").isEqualTo(readsBefore + 1);

        // Someone else changed the application's commands (the developer portal, another deployment): one is gone
        // and the one left has another description.
        long appId = discord.client().getApplicationId().block(WAIT);
        List<ApplicationCommandRequest> changed = List.of(ApplicationCommandRequest.builder().name("help")
                .description("something else").build());
        discord.client().getApplicationService()
                .bulkOverwriteGuildApplicationCommand(appId, Long.parseLong(discord.ids().guildId()), changed)
                .blockLast(WAIT);
        assertThat(commandWrites()).isEqualTo(2);
        startAndStop();
        assertThat(commandWrites()).as("a start after the change writes them again").isEqualTo(3);
        assertThat(registeredNames()).containsExactlyInAnyOrder("new", "sessions", "stop", "continue", "model", "mode",
                "status", "export", "download", "compact", "clear", "stopall", "help");
        assertThat(StreamSupport.stream(discord.commands(discord.ids().guildId()).spliterator(), false)
                .filter(c -> c.path("name").asText().equals("help")).findFirst().orElseThrow()
                .path("description").asText()).isNotEqualTo("something else");
    }

    @Test
    void eventsThatArriveBeforeServeAreAllHandled() throws InterruptedException {
        startAndStop(); // the commands exist, so the fake lets a user invoke one

        DiscordBot bot = login();
        try {
            // Logged in (READY seen), nothing subscribed yet: a message and a slash command arrive now.
            String message = discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "hello early");
            InteractionRef help = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(), "help",
                    Map.of());
            // Give them time to reach the bot before it subscribes (were they later, the test would pass anyway).
            Thread.sleep(1_000);
            bot.serve(registry(bot)).block(WAIT);

            Change.InteractionAnswered answered = discord.next(Change.InteractionAnswered.class,
                    a -> a.interactionId().equals(help.id()), WAIT).block();
            assertThat(answered).as("the slash command that came before serve was answered").isNotNull();
            Change.ThreadCreated thread = discord.next(Change.ThreadCreated.class,
                    t -> t.thread().id().equals(message), WAIT).block();
            assertThat(thread).as("the message that came before serve opened its session's thread").isNotNull();
        } finally {
            bot.logout().block(WAIT);
        }
    }

    private void startAndStop() {
        DiscordBot bot = login();
        try {
            bot.serve(registry(bot)).block(WAIT);
        } finally {
            bot.logout().block(WAIT);
        }
    }

    private DiscordBot login() {
        return DiscordBot.login(config, Schedulers.boundedElastic(), Clock.systemUTC(), new SimpleMeterRegistry())
                .subscribeOn(Schedulers.boundedElastic())
                .block(WAIT);
    }

    /** The core on port fakes, with the bot's chat port attached (as Application does before restoring). */
    private SessionRegistry registry(DiscordBot bot) {
        SessionRegistry registry = new SessionRegistry(new FakeAgents(), new InMemorySessionStore(), new SessionSettings(root, 10,
                Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30), 5, 16), Clock.systemUTC(),
                SessionMetrics.NONE, AgentVersion.UNKNOWN);
        registry.attach(bot.chat());
        return registry;
    }

    /** Every request that writes commands: bulk overwrites, and creates or edits of single ones (none expected). */
    private long commandWrites() {
        return discord.requestCounts().entrySet().stream()
                .filter(e -> e.getKey().contains("/commands") && !e.getKey().startsWith("GET "))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private List<String> registeredNames() {
        return StreamSupport.stream(discord.commands(discord.ids().guildId()).spliterator(), false)
                .map(c -> c.path("name").asText()).toList();
    }
}
