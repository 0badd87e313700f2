package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.ClaudeAgentRuntime;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.MattermostConfig;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.persistence.Persistence;
import dev.claudebridge.support.BotSchedulers;
import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeMattermost;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Mattermost side of the bot against {@link FakeMattermost}, with the real pinned CLI against
 * {@link FakeAnthropicApi} and the real store: the adapter, the core and the agent runtime wired as the application
 * wires them.
 */
public final class MattermostWorld implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    public final FakeMattermost mm;
    public final FakeAnthropicApi api;
    final MattermostBot bot;
    public final SessionRegistry registry;
    final Path workspace;
    private final SessionStore store;
    private final BotSchedulers schedulers;
    private final Path root;
    private final Map<String, String> env;

    private MattermostWorld(FakeMattermost mm, FakeAnthropicApi api, MattermostBot bot, SessionRegistry registry,
            Path workspace, SessionStore store, BotSchedulers schedulers, Path root, Map<String, String> env) {
        this.mm = mm;
        this.api = api;
        this.bot = bot;
        this.registry = registry;
        this.workspace = workspace;
        this.store = store;
        this.schedulers = schedulers;
        this.root = root;
        this.env = env;
    }

    /** @param callback whether buttons call back (else controls are reactions) */
    static MattermostWorld start(Path root, boolean callback, FakeMattermostSettings settings) throws IOException {
        return start(root, callback, settings, Map.of());
    }

    /** @param extra settings over the test defaults (e.g. {@code EDIT_INTERVAL}, {@code MAX_SESSIONS_PER_USER}) */
    public static MattermostWorld start(Path root, boolean callback, FakeMattermostSettings settings,
            Map<String, String> extra) throws IOException {
        return start(root, callback, settings, mm -> extra);
    }

    /** @param extraOf settings that name the fake's users (e.g. {@code MATTERMOST_ADMIN_USERS}) */
    public static MattermostWorld start(Path root, boolean callback, FakeMattermostSettings settings,
            java.util.function.Function<FakeMattermost, Map<String, String>> extraOf) throws IOException {
        FakeMattermost mm = FakeMattermost.start(settings);
        FakeAnthropicApi api = FakeAnthropicApi.start();
        Map<String, String> env = new HashMap<>(extraOf.apply(mm));
        // The town square is a main place too (a shared channel), besides each user's direct message with the bot.
        env.putIfAbsent("MATTERMOST_MAIN_CHANNEL_ID", mm.townSquare().id());
        if (callback) {
            int port = freePort();
            env.put("MATTERMOST_CALLBACK_PORT", String.valueOf(port));
            env.put("MATTERMOST_CALLBACK_URL", "http://127.0.0.1:" + port);
        }
        return wire(mm, api, root, env);
    }

    /**
     * The bot stopped as a deploy stops it (sessions drained, store closed) and started again on the same store,
     * against the same Mattermost and model.
     */
    MattermostWorld restarted() throws IOException {
        stopBot();
        return wire(mm, api, root, env);
    }

    private static MattermostWorld wire(FakeMattermost mm, FakeAnthropicApi api, Path root, Map<String, String> env)
            throws IOException {
        BridgeConfig config = BridgeConfig.fromEnv(BotEnvironment.mattermost(root, mm, api, env));
        Path workspace = config.workspaceRoot();
        MattermostConfig mmConfig = config.mattermost().orElseThrow();
        BotSchedulers schedulers = BotSchedulers.create();
        Clock clock = Clock.systemUTC();
        SessionStore store = Persistence.open(config.databaseUrl(), schedulers.db()).block(WAIT);
        ClaudeAgentRuntime runtime = new ClaudeAgentRuntime(config, new ObjectMapper(), schedulers.processStart(),
                clock).recordingChildrenIn(store.children());
        AgentVersion version = runtime.version().block(WAIT);
        SessionRegistry registry = new SessionRegistry(runtime, store, new SessionSettings(config.workspaceRoot(),
                config.queueLimit(), config.permissionTimeout(), config.turnTimeout(), config.idleTimeout(),
                config.maxSessionsPerUser(), config.maxLiveClis(), config.files().attachmentMaxBytes(),
                config.files().attachmentMaxCount(), config.modelChoices(), config.allowBypassPermissions()), clock,
                SessionMetrics.NONE, version);
        MattermostBot bot = MattermostBot.login(mmConfig, config, schedulers.processStart(), clock).block(WAIT);
        registry.attach(bot.chat());
        registry.restore().block(WAIT);
        bot.serve(registry).block(WAIT);
        MattermostWorld world = new MattermostWorld(mm, api, bot, registry, workspace, store, schedulers, root, env);
        world.awaitConnected();
        return world;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    void awaitConnected() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Boolean.TRUE.equals(bot.connected().block(WAIT))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the bot's WebSocket did not connect");
            }
            sleep(20);
        }
    }

    /** The owner's direct-message channel with the bot. */
    public String ownerDm() {
        return mm.directChannel(mm.owner(), mm.bot()).id();
    }

    /** Waits for a post of the bot's that matches (as created or after edits). */
    MmPost botPost(Predicate<MmPost> matches) {
        return mm.awaitPost(p -> p.userId().equals(mm.bot().id()) && !p.deleted() && matches.test(p), WAIT);
    }

    /** Waits until the post with this id matches. */
    MmPost awaitState(String postId, Predicate<MmPost> matches) {
        return mm.awaitPost(p -> p.id().equals(postId) && matches.test(p), WAIT);
    }

    /** The bot's posts in a thread, oldest first. */
    List<MmPost> botPostsIn(String threadId) {
        return mm.allPosts().stream().filter(p -> p.userId().equals(mm.bot().id()) && p.threadId().equals(threadId)
                && !p.id().equals(threadId)).toList();
    }

    private static void quietly(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            System.err.println("closing the world: " + what + " failed: " + e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopBot() {
        try {
            quietly("logout", () -> bot.logout().block(WAIT));
            quietly("drain", () -> registry.drain().block(Duration.ofSeconds(20)));
            quietly("flush", () -> registry.flush().block(WAIT));
            quietly("store", () -> Persistence.close(store).block(WAIT));
        } finally {
            schedulers.close();
        }
    }

    @Override
    public void close() {
        try {
            stopBot();
        } finally {
            api.close();
            mm.close();
        }
    }
}
