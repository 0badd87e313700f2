package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.Application;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeDiscordSettings;
import dev.claudebridge.testkit.discord.FakeIds;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The whole bot as {@code Main} wires it ({@link Application}), with the allowlists on (the owner by user id, the
 * friend by role, the stranger by nobody), the real Discord4J client against {@link FakeDiscord} and the real CLI
 * against {@link FakeAnthropicApi}.
 */
final class BotWorld implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    final FakeDiscord discord;
    final FakeAnthropicApi api;
    final Application app;
    final FakeIds ids;
    final Path workspace;
    final BridgeConfig config;

    private BotWorld(FakeDiscord discord, FakeAnthropicApi api, Application app, Path workspace, BridgeConfig config) {
        this.discord = discord;
        this.api = api;
        this.app = app;
        this.ids = discord.ids();
        this.workspace = workspace;
        this.config = config;
    }

    static BotWorld start(Path root) throws IOException {
        return start(root, s -> s, Map.of());
    }

    static BotWorld start(Path root, UnaryOperator<FakeDiscordSettings> discordSettings, Map<String, String> extra)
            throws IOException {
        FakeDiscord discord = FakeDiscord.start(discordSettings.apply(FakeDiscordSettings.defaults()));
        FakeAnthropicApi api = FakeAnthropicApi.start();
        Map<String, String> env = environment(root, discord, api, extra);
        Path workspace = Path.of(env.get("WORKSPACE_ROOT"));
        BridgeConfig config = BridgeConfig.fromEnv(env);
        try {
            Application app = Application.start(config, Clock.systemUTC()).block(WAIT);
            return new BotWorld(discord, api, app, workspace, config);
        } catch (RuntimeException e) {
            api.close();
            discord.close();
            throw e;
        }
    }

    /** The bot's environment for a test world: allowlists on, the fakes as Discord and as the model, short times. */
    static Map<String, String> environment(Path root, FakeDiscord discord, FakeAnthropicApi api,
            Map<String, String> extra) throws IOException {
        Path workspace = Files.createDirectories(root.resolve("workspace"));
        Path home = Files.createDirectories(root.resolve("home"));
        String claude = Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath()
                .toString();
        assertThat(Path.of(claude)).as("the pinned claude CLI (cd tools && npm ci)").isExecutable();
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("DISCORD_TOKEN", discord.token());
        env.put("DISCORD_API_BASE_URL", discord.apiBaseUrl());
        env.put("DISCORD_GUILD_ID", discord.ids().guildId());
        env.put("DISCORD_MAIN_CHANNEL_ID", discord.ids().mainChannelId());
        env.put("ALLOWED_USER_IDS", FakeUser.OWNER.id());
        env.put("ALLOWED_ROLE_IDS", FakeUser.FRIEND.roleId());
        env.put("WORKSPACE_ROOT", workspace.toString());
        env.put("DATA_DIR", root.resolve("data").toString());
        env.put("CLAUDE_BIN", claude);
        env.put("ANTHROPIC_BASE_URL", api.baseUrl());
        env.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
        env.put("CLAUDE_CODE_MAX_RETRIES", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("CLAUDE_ENV_PASSTHROUGH", "CLAUDE_CODE_MAX_RETRIES,CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC");
        env.put("PRESENCE_MIN_INTERVAL", "200ms");
        env.put("INTERRUPT_WAIT", "2s");
        env.put("STOP_GRACE", "5s");
        env.put("KILL_AFTER", "2s");
        env.put("DRAIN_TIMEOUT", "12s");
        env.put("OPS_PORT", "0"); // any free port: tests (and other builds on this machine) run side by side
        env.putAll(extra);
        return env;
    }

    String main() {
        return ids.mainChannelId();
    }

    /** The next bot message matching, in any channel. */
    PostedMessage botMessage(Predicate<PostedMessage> matches) {
        return discord.awaitMessage(m -> m.byBot() && matches.test(m), WAIT);
    }

    /** Waits until the bot message with this id satisfies {@code condition} (created or edited). */
    PostedMessage awaitState(String messageId, Predicate<PostedMessage> condition) {
        return discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.id().equals(messageId))
                .map(m -> discord.message(messageId))
                .filter(condition)
                .blockFirst(WAIT);
    }

    /** The first bot message in a channel whose content (as created or after an edit) matches. */
    PostedMessage awaitContent(String channelId, Predicate<String> content) {
        return awaitContent(channelId, content, WAIT);
    }

    PostedMessage awaitContent(String channelId, Predicate<String> content, Duration wait) {
        return discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.byBot() && m.channelId().equals(channelId) && content.test(m.content()))
                .blockFirst(wait);
    }

    /** The thread the bot made for a session, waited for. */
    String awaitThread() {
        return discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
    }

    /** Bot messages of a channel, in order. */
    List<PostedMessage> botMessages(String channelId) {
        return discord.messages(channelId).stream().filter(PostedMessage::byBot).toList();
    }

    @Override
    public void close() {
        try {
            app.stop(Duration.ofSeconds(15)).block(Duration.ofSeconds(30));
        } finally {
            api.close();
            discord.close();
        }
    }
}
