package dev.claudebridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.DiscordSimulator;
import dev.claudebridge.testkit.discord.FakeDiscordSettings;
import dev.claudebridge.testkit.discord.FakeIds;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.InteractionView;
import dev.claudebridge.testkit.discord.Ping;
import dev.claudebridge.testkit.discord.PostedMessage;
import dev.claudebridge.testkit.discord.PresenceUpdate;
import dev.claudebridge.testkit.discord.ThreadView;
import dev.claudebridge.testkit.discord.UserFile;
import discord4j.core.DiscordClient;
import discord4j.core.DiscordClientBuilder;
import discord4j.rest.request.DefaultRouter;
import discord4j.rest.request.Router;
import discord4j.rest.request.RouterOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A fake Discord for the real Discord4J 3.3.2 client: REST v10 and a zlib-stream gateway on one port of
 * 127.0.0.1, a guild with fixed ids, and a Java API (plus an HTTP control API under {@code /_sim/}) to act as
 * users, inspect what the bot did, change limits and inject faults. docs/fake-discord.md describes it all.
 *
 * <pre>{@code
 * try (FakeDiscord discord = FakeDiscord.start()) {
 *     GatewayDiscordClient bot = discord.client().gateway().login().block(Duration.ofSeconds(10));
 *     discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "hello");
 *     PostedMessage reply = discord.awaitMessage(m -> m.byBot(), Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class FakeDiscord implements AutoCloseable {
    private final DiscordSimulator sim;

    private FakeDiscord(DiscordSimulator sim) {
        this.sim = sim;
    }

    /** Starts with Discord's defaults on a free port. */
    public static FakeDiscord start() {
        return start(FakeDiscordSettings.defaults());
    }

    public static FakeDiscord start(FakeDiscordSettings settings) {
        return new FakeDiscord(DiscordSimulator.start(settings));
    }

    // ---- where it is ----

    public int port() {
        return sim.port();
    }

    /** A token Discord4J accepts: its first segment is base64 of the bot id. */
    public String token() {
        return FakeIds.TOKEN;
    }

    public FakeIds ids() {
        return sim.ids();
    }

    /** The value for the bot's {@code DISCORD_API_BASE_URL}: {@code http://127.0.0.1:PORT/api/v10}. */
    public String apiBaseUrl() {
        return "http://127.0.0.1:" + port() + "/api/v10";
    }

    /** For {@code DiscordClientBuilder.build(...)}: Discord4J's default router pointed at this fake. */
    public Function<RouterOptions, Router> router() {
        return routerFor(apiBaseUrl());
    }

    /** Discord4J's default router with another base URL (how the bot applies {@code DISCORD_API_BASE_URL}). */
    public static Function<RouterOptions, Router> routerFor(String apiBaseUrl) {
        return options -> new DefaultRouter(new RouterOptions(options.getToken(), options.getReactorResources(),
                options.getExchangeStrategies(), options.getResponseTransformers(), options.getGlobalRateLimiter(),
                options.getRequestQueueFactory(), apiBaseUrl));
    }

    /**
     * A Discord4J client with this fake's token, talking to this fake. Its Jackson caches are built up front (once
     * per JVM), so two Discord4J threads never park on Jackson's cache lock, which BlockHound would report.
     */
    public DiscordClient client() {
        return DiscordClientBuilder.create(token()).setJacksonResources(DiscordSimulator.warmJackson())
                .build(router());
    }

    // ---- acting as users ----

    /** A user posts {@code content} in a channel or thread (MESSAGE_CREATE); returns the message id. */
    public String userMessage(FakeUser user, String channelId, String content) {
        return sim.userMessage(user, channelId, content);
    }

    /**
     * A user posts a message with files (MESSAGE_CREATE with {@code attachments}); each is served at its {@code url}
     * by this fake, as Discord's CDN serves them (a signed URL, no token). Returns the message id.
     */
    public String userMessage(FakeUser user, String channelId, String content, List<UserFile> files) {
        return sim.userMessage(user, channelId, content, files);
    }

    /**
     * A user runs a registered slash command (INTERACTION_CREATE type 2). Option values: String, Integer/Long,
     * Boolean, Double, {@link FakeUser} for user options, a nested Map for a subcommand. Throws
     * IllegalStateException if the bot has not registered the command.
     */
    public InteractionRef slashCommand(FakeUser user, String channelId, String name, Map<String, ?> options) {
        return sim.slashCommand(user, channelId, name, options);
    }

    /**
     * A user types in an option of a registered command (INTERACTION_CREATE type 4, APPLICATION_COMMAND_AUTOCOMPLETE):
     * {@code options} holds what is typed so far, {@code focused} names the option being typed (its partial text in
     * {@code options}, or empty). Throws IllegalStateException unless the bot declared that option with
     * {@code autocomplete: true}. The bot answers with callback type 8; read its choices with
     * {@link #interaction(String)}.
     */
    public InteractionRef autocomplete(FakeUser user, String channelId, String name, Map<String, ?> options,
            String focused) {
        return sim.autocomplete(user, channelId, name, options, focused);
    }

    /** A user clicks a button of a message (type 3); throws if the message has no such enabled button. */
    public InteractionRef clickButton(FakeUser user, String messageId, String customId) {
        return sim.clickButton(user, messageId, customId);
    }

    /** A user chooses values in a string select of a message (type 3). */
    public InteractionRef chooseSelect(FakeUser user, String messageId, String customId, List<String> values) {
        return sim.chooseSelect(user, messageId, customId, values);
    }

    /** A thread is archived by someone else or by Discord's auto-archive (THREAD_UPDATE). */
    public void archiveThread(String threadId) {
        sim.archiveThread(threadId);
    }

    /** Someone else (a moderator) deletes a message (MESSAGE_DELETE); later edits of it get 404 10008. */
    public void deleteMessage(String messageId) {
        sim.deleteMessage(messageId);
    }

    /** Moves a message's creation time back, e.g. past the one-hour edit rule. */
    public void ageMessage(String messageId, Duration by) {
        sim.ageMessage(messageId, by);
    }

    // ---- reading what happened ----

    /** Messages of a channel or thread in creation order, deleted and ephemeral ones included. */
    public List<PostedMessage> messages(String channelId) {
        return sim.messages(channelId);
    }

    /** A message by id; throws NoSuchElementException if there is none. */
    public PostedMessage message(String messageId) {
        return sim.message(messageId).orElseThrow(() -> new NoSuchElementException("no message " + messageId));
    }

    public List<ThreadView> threads() {
        return sim.threads();
    }

    public InteractionView interaction(String interactionId) {
        return sim.interaction(interactionId)
                .orElseThrow(() -> new NoSuchElementException("no interaction " + interactionId));
    }

    public List<PresenceUpdate> presenceUpdates() {
        return sim.presenceUpdates();
    }

    public List<Ping> pings() {
        return sim.pings();
    }

    /** Requests per route key ({@code FakeRoutes}), including refused ones. */
    public Map<String, Long> requestCounts() {
        return sim.requestCounts();
    }

    /** 429 answers per route key. */
    public Map<String, Long> rateLimitCounts() {
        return sim.rateLimitCounts();
    }

    public long rateLimitedTotal() {
        return sim.rateLimitCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Registered commands: {@code null} for the global ones, or a guild id. */
    public JsonNode commands(String guildIdOrNull) {
        return sim.commands(guildIdOrNull);
    }

    /** Open gateway websockets. */
    public int gatewayConnections() {
        return sim.gatewayConnections();
    }

    /** Everything that changes, in order; replays the last 10 000 changes to each new subscriber, then live. */
    public Flux<Change> changes() {
        return sim.changes();
    }

    /** The first change of a type that matches, past or future, within {@code timeout}. */
    public <T extends Change> Mono<T> next(Class<T> type, Predicate<? super T> matches, Duration timeout) {
        return changes().ofType(type).filter(matches).next().timeout(timeout);
    }

    /**
     * Blocks the calling test thread until a message matching {@code matches} is created (or was), at most
     * {@code timeout}. For test threads only; never call it on a reactive thread.
     */
    public PostedMessage awaitMessage(Predicate<PostedMessage> matches, Duration timeout) {
        return next(Change.MessageCreated.class, c -> matches.test(c.message()), timeout)
                .map(Change.MessageCreated::message).block();
    }

    // ---- settings and faults ----

    public FakeDiscordSettings settings() {
        return sim.settings();
    }

    /** Changes settings while running, e.g. {@code s -> s.withMessageLimits(2, Duration.ofSeconds(5))}. */
    public void updateSettings(UnaryOperator<FakeDiscordSettings> change) {
        sim.updateSettings(change);
    }

    /** Answers a share of requests on a route (a {@code FakeRoutes} key, or {@code "*"}) with 500, deterministically. */
    public void failRoute(String route, double share) {
        sim.failRoute(route, share);
    }

    public void delayRoute(String route, Duration latency) {
        sim.delayRoute(route, latency);
    }

    public void clearFaults() {
        sim.clearFaults();
    }

    /** Cuts every gateway connection (no close frame); dispatches meanwhile are kept for RESUME. */
    public int dropGatewayConnections() {
        return sim.dropGatewayConnections();
    }

    /** Sends op 7 RECONNECT on every connection. */
    public int sendReconnect() {
        return sim.sendReconnect();
    }

    /** Sends op 9 INVALID_SESSION; without {@code resumable} the sessions are forgotten. */
    public int sendInvalidSession(boolean resumable) {
        return sim.sendInvalidSession(resumable);
    }

    @Override
    public void close() {
        sim.close();
    }

    /**
     * Standalone: {@code ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.testkit.FakeDiscord -Dargs="--port 8090"}.
     * Prints port, token and ids, then runs until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            if ("--port".equals(args[i]) && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: FakeDiscord [--port N]");
                System.exit(2);
            }
        }
        FakeDiscord discord = start(FakeDiscordSettings.defaults().withPort(port));
        Runtime.getRuntime().addShutdownHook(new Thread(discord::close, "fake-discord-stop"));
        System.out.println(discord.banner());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** The block printed at standalone start: everything needed to point a bot at this fake. */
    public String banner() {
        FakeIds ids = ids();
        return String.join(System.lineSeparator(),
                "=== Fake Discord ready ===",
                "port:                 " + port(),
                "DISCORD_TOKEN=" + token(),
                "DISCORD_API_BASE_URL=" + apiBaseUrl(),
                "DISCORD_GUILD_ID=" + ids.guildId(),
                "DISCORD_MAIN_CHANNEL_ID=" + ids.mainChannelId(),
                "other channel id:     " + ids.otherChannelId(),
                "bot / application id: " + ids.botId() + " / " + ids.applicationId(),
                "users (id, role id):  owner " + FakeUser.OWNER.id() + " " + FakeUser.OWNER.roleId()
                        + ", friend " + FakeUser.FRIEND.id() + " " + FakeUser.FRIEND.roleId()
                        + ", stranger " + FakeUser.STRANGER.id() + " " + FakeUser.STRANGER.roleId(),
                "ALLOWED_USER_IDS=" + FakeUser.OWNER.id() + "," + FakeUser.FRIEND.id(),
                "control API:          http://127.0.0.1:" + port() + "/_sim/info (see docs/fake-discord.md)",
                "==========================");
    }
}
