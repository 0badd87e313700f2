package dev.claudebridge.e2e;

import dev.claudebridge.Application;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeDiscordSettings;
import dev.claudebridge.testkit.discord.FakeIds;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
        return BotEnvironment.of(root, discord, api, extra);
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
