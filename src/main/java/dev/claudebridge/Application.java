package dev.claudebridge;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.ConfigException;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.discord.DiscordBot;
import dev.claudebridge.mattermost.MattermostBot;
import dev.claudebridge.ops.BridgeMetrics;
import dev.claudebridge.ops.Ops;
import dev.claudebridge.ops.OpsServer;
import dev.claudebridge.ops.ReadinessCheck;
import dev.claudebridge.persistence.Persistence;
import dev.claudebridge.support.BotSchedulers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The bot wired from its configuration: what {@link Main} runs and what end-to-end tests start. Start-up order
 * matters ({@link #start}): the CLI's check first; then the ops endpoint (so {@code /healthz} answers and
 * {@code /readyz} says 503 while the rest starts), the store (the leftovers of a crashed run stopped once it is open)
 * and the login of each configured chat platform (Discord, Mattermost, or both), side by side; then the stored
 * sessions of every platform come back, and only then are events handled. One {@link SessionRegistry} holds the
 * sessions of all platforms: each platform's chat port is attached to it.
 */
public final class Application {

    private static final Logger log = LoggerFactory.getLogger(Application.class);

    /**
     * Of the drain deadline, what is kept for logging out and closing the store after the sessions' part. The config
     * guarantees {@code INTERRUPT_WAIT + STOP_GRACE + KILL_AFTER + 2 s <= DRAIN_TIMEOUT}: the CLIs' stop sequence fits
     * in what is left.
     */
    static final Duration CLOSING_RESERVE = Duration.ofSeconds(2);

    private final Optional<DiscordBot> discord;
    private final Optional<MattermostBot> mattermost;
    private final SessionRegistry registry;
    private final SessionStore store;
    private final BotSchedulers schedulers;
    private final Agents agents;
    private final Disposable reaper;
    private final OpsServer ops;
    private final BridgeMetrics metrics;
    private final Wiring wiring;
    private final AtomicReference<Mono<Void>> stopping = new AtomicReference<>();

    /** What the readiness checks look at; filled in as start-up goes. */
    private static final class Wiring {
        final AtomicReference<DiscordBot> discord = new AtomicReference<>();
        final AtomicReference<MattermostBot> mattermost = new AtomicReference<>();
        final AtomicReference<SessionRegistry> registry = new AtomicReference<>();
        final AtomicReference<SessionStore> store = new AtomicReference<>();
        final AtomicBoolean storeClosed = new AtomicBoolean();
        final AtomicBoolean draining = new AtomicBoolean();

        /** One check per configured platform, named after it, then the store's and the drain's. */
        List<ReadinessCheck> checks(BridgeConfig config) {
            List<ReadinessCheck> checks = new ArrayList<>();
            if (config.discordEnabled()) {
                checks.add(new ReadinessCheck("discord", () -> {
                    DiscordBot b = discord.get();
                    return b == null ? Mono.just(false) : b.connected();
                }));
            }
            if (config.mattermost().isPresent()) {
                checks.add(new ReadinessCheck("mattermost", () -> {
                    MattermostBot b = mattermost.get();
                    return b == null ? Mono.just(false) : b.connected();
                }));
            }
            // A closed store is not asked: an H2 file URL would open the database again.
            checks.add(new ReadinessCheck("database", () -> {
                SessionStore s = store.get();
                return s == null || storeClosed.get() ? Mono.just(false) : s.ping();
            }));
            // A write that failed after its retries: what the bot does now may not survive a restart.
            checks.add(new ReadinessCheck("store-writes", () -> {
                SessionRegistry r = registry.get();
                return Mono.just(r != null && !r.storeHealth().failing());
            }));
            checks.add(new ReadinessCheck("not-draining", () -> Mono.just(!draining.get())));
            return List.copyOf(checks);
        }
    }

    private Application(Optional<DiscordBot> discord, Optional<MattermostBot> mattermost, SessionRegistry registry,
            SessionStore store, BotSchedulers schedulers, Agents agents, Disposable reaper, OpsServer ops,
            BridgeMetrics metrics, Wiring wiring) {
        this.agents = agents;
        this.discord = discord;
        this.mattermost = mattermost;
        this.registry = registry;
        this.store = store;
        this.schedulers = schedulers;
        this.reaper = reaper;
        this.ops = ops;
        this.metrics = metrics;
        this.wiring = wiring;
    }

    /** The store, opened and migrated, and the agent runtime that records its CLIs in it; leftovers stopped. */
    private record Store(SessionStore store, AgentRuntime agents) {
    }

    /** The chat platforms logged in: each is there when it is configured. */
    private record Platforms(Optional<DiscordBot> discord, Optional<MattermostBot> mattermost) {
    }

    /** What has started so far, so that a start-up that fails later undoes it. */
    private static final class Started {
        final AtomicReference<OpsServer> ops = new AtomicReference<>();
        final AtomicReference<SessionStore> store = new AtomicReference<>();
        final AtomicReference<DiscordBot> discord = new AtomicReference<>();
        final AtomicReference<MattermostBot> mattermost = new AtomicReference<>();

        /** Logs out, closes the store, stops the ops endpoint: whichever of them started; never fails. */
        Mono<Void> undo() {
            return logout(Optional.ofNullable(discord.get()), Optional.ofNullable(mattermost.get()))
                    .onErrorResume(e -> Mono.empty())
                    .then(Mono.defer(() -> store.get() == null ? Mono.<Void>empty() : Persistence.close(store.get())))
                    .onErrorResume(e -> Mono.empty())
                    .then(Mono.defer(() -> ops.get() == null ? Mono.<Void>empty() : ops.get().stop()))
                    .onErrorResume(e -> Mono.empty());
        }
    }

    /**
     * Starts the bot; completes when it is ready: logged in, stored sessions back, events handled, commands in place.
     *
     * <p>The CLI's version is checked first: a CLI this build cannot drive stops start-up before anything else starts.
     * Then three things at once, because each mostly waits (the ops endpoint binds, the store opens and migrates and
     * the leftovers of a crashed run are stopped, the gateway logs in): start-up takes as long as the slowest, not
     * their sum. Only when all three are there does the core get its store and the gateway's events: the stored
     * sessions come back first, then the events (those that came since the gateway's READY are kept and handled in
     * order), and at the same time the slash commands are registered if they changed. Any failure undoes what started.
     */
    public static Mono<Application> start(BridgeConfig config, Clock clock) {
        BotSchedulers schedulers = BotSchedulers.create();
        BridgeMetrics metrics = Ops.metrics();
        Wiring wiring = new Wiring();
        Started started = new Started();
        Agents runtime = new Agents(config, schedulers.processStart(), clock, metrics);
        SessionSettings settings = new SessionSettings(config.workspaceRoot(), config.queueLimit(),
                config.permissionTimeout(), config.turnTimeout(), config.idleTimeout(), config.maxSessionsPerUser(),
                config.maxLiveClis(), config.files().attachmentMaxBytes(), config.files().attachmentMaxCount(),
                config.modelChoices(), config.allowBypassPermissions());
        return runtime.version().flatMap(version -> Mono.zipDelayError(
                        Ops.serve(config.opsBindAddress(), config.opsPort(), wiring.checks(config), metrics,
                                        schedulers.ops())
                                .doOnNext(started.ops::set),
                        openStore(config, runtime, schedulers).doOnNext(s -> {
                            started.store.set(s.store());
                            wiring.store.set(s.store());
                        }),
                        login(config, schedulers, clock, metrics, started))
                .flatMap(parts -> {
                    OpsServer ops = parts.getT1();
                    Store store = parts.getT2();
                    Platforms platforms = parts.getT3();
                    SessionRegistry registry = new SessionRegistry(store.agents(), store.store(), settings, clock,
                            metrics, version);
                    // Every platform's port before the restore: a stored session finds its own platform's.
                    platforms.discord().ifPresent(bot -> registry.attach(bot.chat()));
                    platforms.mattermost().ifPresent(bot -> registry.attach(bot.chat()));
                    metrics.watch(registry);
                    wiring.registry.set(registry);
                    return registry.restore()
                            .doOnNext(n -> log.info("restored {} sessions", n))
                            .then(Mono.when(
                                    platforms.discord().map(bot -> bot.serve(registry)).orElse(Mono.empty()),
                                    platforms.mattermost().map(bot -> bot.serve(registry)).orElse(Mono.empty())))
                            .then(Mono.fromCallable(() -> {
                                platforms.discord().ifPresent(wiring.discord::set);
                                platforms.mattermost().ifPresent(wiring.mattermost::set);
                                Disposable reaper = registry.idleReaper(reaperPeriod(config))
                                        .subscribe(null, e -> log.error("idle reaper stopped", e));
                                return new Application(platforms.discord(), platforms.mattermost(), registry,
                                        store.store(), schedulers, runtime, reaper, ops, metrics, wiring);
                            }));
                }))
                .onErrorResume(e -> started.undo().then(Mono.error(oneError(e))))
                .doOnError(e -> {
                    runtime.close();
                    schedulers.close();
                    metrics.close();
                });
    }

    /** Each configured platform logged in, side by side; a failure of one is reported once both are done. */
    private static Mono<Platforms> login(BridgeConfig config, BotSchedulers schedulers, Clock clock,
            BridgeMetrics metrics, Started started) {
        Mono<Optional<DiscordBot>> discord = !config.discordEnabled() ? Mono.just(Optional.empty())
                // Building the Discord client reads resources from the jar (a blocking read).
                : DiscordBot.login(config, schedulers.processStart(), clock, metrics.registry())
                        .subscribeOn(schedulers.processStart())
                        .doOnNext(started.discord::set)
                        .map(Optional::of);
        Mono<Optional<MattermostBot>> mattermost = config.mattermost()
                .map(settings -> MattermostBot.login(settings, config, schedulers.processStart(), clock)
                        .doOnNext(started.mattermost::set)
                        .map(Optional::of))
                .orElse(Mono.just(Optional.empty()));
        return Mono.zipDelayError(discord, mattermost).map(t -> new Platforms(t.getT1(), t.getT2()));
    }

    /** Each platform's logout, side by side; completes when all are done, an error of one delayed. */
    private static Mono<Void> logout(Optional<DiscordBot> discord, Optional<MattermostBot> mattermost) {
        return Mono.whenDelayError(
                Mono.defer(() -> discord.map(DiscordBot::logout).orElse(Mono.empty())),
                Mono.defer(() -> mattermost.map(MattermostBot::logout).orElse(Mono.empty())));
    }

    /** The store opened and migrated, then the leftovers of a crashed run stopped (they are recorded in it). */
    private static Mono<Store> openStore(BridgeConfig config, Agents runtime, BotSchedulers schedulers) {
        return Persistence.open(config.databaseUrl(), schedulers.db())
                // With PostgreSQL the store arrives on the driver's event loop; stopping leftovers may block.
                .publishOn(schedulers.processStart())
                .flatMap(store -> runtime.withStore(store)
                        .map(agents -> new Store(store, agents))
                        .onErrorResume(e -> Persistence.close(store).then(Mono.error(e))));
    }

    /**
     * Of the failures of the parts started together, the one to report: a {@link ConfigException} if any (Main prints
     * its lines and exits with 2), else the first; the others are kept as suppressed.
     */
    private static Throwable oneError(Throwable e) {
        List<Throwable> all = reactor.core.Exceptions.unwrapMultiple(e);
        if (all.size() == 1) {
            return all.getFirst();
        }
        Throwable chosen = all.stream().filter(t -> t instanceof ConfigException).findFirst()
                .orElse(all.getFirst());
        all.stream().filter(t -> t != chosen).forEach(chosen::addSuppressed);
        return chosen;
    }

    private static Duration reaperPeriod(BridgeConfig config) {
        Duration quarter = config.idleTimeout().dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : quarter;
    }

    /** The Discord side; only when Discord is configured ({@link BridgeConfig#discordEnabled()}). */
    public DiscordBot bot() {
        return discord.orElseThrow(() -> new IllegalStateException("Discord is not configured (DISCORD_TOKEN)"));
    }

    /** The Mattermost side, when it is configured. */
    public Optional<MattermostBot> mattermost() {
        return mattermost;
    }

    /** The sessions of every platform. */
    public SessionRegistry sessions() {
        return registry;
    }

    /** The port the ops endpoint listens on (the chosen one when {@code OPS_PORT=0}). */
    public int opsPort() {
        return ops.port();
    }

    /**
     * Completes when Discord's gateway has gone away for good. Mattermost's WebSocket reconnects without end, so a bot
     * without Discord never completes it: it runs until it is stopped.
     */
    public Mono<Void> onDisconnect() {
        return discord.map(DiscordBot::onDisconnect).orElse(Mono.never());
    }

    /** Whether {@link #stop} began. */
    public boolean stopping() {
        return wiring.draining.get();
    }

    /**
     * The graceful drain (docs/architecture.md §3.12), all of it within {@code deadline}: {@code /readyz} turns 503; no
     * prompt starts any more (new ones are kept in the stored inbox, and their authors told); threads with a running
     * turn are told and their turns interrupted; every CLI is stopped by the §3.4 sequence, in parallel; the
     * sessions' writes are flushed; then each platform logs out, the store closes and the ops endpoint stops. Calling it
     * again returns the same drain.
     */
    public Mono<Void> stop(Duration deadline) {
        Mono<Void> drain = Mono.defer(() -> drain(System.nanoTime() + deadline.toNanos())).cache();
        return stopping.compareAndSet(null, drain) ? drain : stopping.get();
    }

    private Mono<Void> drain(long deadlineNanos) {
        wiring.draining.set(true);
        reaper.dispose();
        log.info("draining: {} ms left", left(deadlineNanos, Duration.ZERO).toMillis());
        return registry.drain()
                .timeout(left(deadlineNanos, CLOSING_RESERVE), Mono.fromRunnable(() ->
                        log.warn("drain deadline reached before every session was stopped")))
                .onErrorResume(e -> {
                    log.warn("draining the sessions failed: {}", e.toString());
                    return Mono.empty();
                })
                .then(Mono.defer(() -> logout(discord, mattermost).timeout(left(deadlineNanos, Duration.ZERO))))
                .onErrorResume(e -> {
                    log.warn("logout failed: {}", e.toString());
                    return Mono.empty();
                })
                .then(Mono.defer(() -> {
                    wiring.storeClosed.set(true);
                    return Persistence.close(store).timeout(left(deadlineNanos, Duration.ZERO));
                }))
                .onErrorResume(e -> {
                    log.warn("closing the store failed: {}", e.toString());
                    return Mono.empty();
                })
                .then(Mono.defer(() -> ops.stop().timeout(left(deadlineNanos, Duration.ZERO))))
                .onErrorResume(e -> Mono.empty())
                .doOnSuccess(v -> log.info("drained with {} ms to spare", left(deadlineNanos, Duration.ZERO)
                        .toMillis()))
                .doFinally(s -> {
                    agents.close();
                    schedulers.close();
                    metrics.close();
                });
    }

    /** What is left of the deadline after keeping {@code reserve}; at least a millisecond, so a timeout can fire. */
    private static Duration left(long deadlineNanos, Duration reserve) {
        long nanos = deadlineNanos - System.nanoTime() - reserve.toNanos();
        return Duration.ofNanos(Math.max(nanos, 1_000_000));
    }
}
