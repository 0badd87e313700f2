package dev.claudebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.ClaudeAgentRuntime;
import dev.claudebridge.agent.process.Orphans;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.discord.DiscordBot;
import dev.claudebridge.persistence.Persistence;
import dev.claudebridge.support.BotSchedulers;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The bot wired from its configuration: what {@link Main} runs and what end-to-end tests start. Start-up order
 * matters: the store first, then the leftovers of a crashed run are stopped, then the gateway, then the stored
 * sessions come back.
 */
public final class Application {

    private static final Logger log = LoggerFactory.getLogger(Application.class);

    private final DiscordBot bot;
    private final SessionStore store;
    private final BotSchedulers schedulers;
    private final Disposable reaper;

    private Application(DiscordBot bot, SessionStore store, BotSchedulers schedulers, Disposable reaper) {
        this.bot = bot;
        this.store = store;
        this.schedulers = schedulers;
        this.reaper = reaper;
    }

    public static Mono<Application> start(BridgeConfig config, Clock clock) {
        BotSchedulers schedulers = BotSchedulers.create();
        ClaudeAgentRuntime runtime = new ClaudeAgentRuntime(config, new ObjectMapper(), schedulers.processStart(),
                clock);
        SessionSettings settings = new SessionSettings(config.workspaceRoot(), config.queueLimit(),
                config.permissionTimeout(), config.turnTimeout(), config.idleTimeout(), config.maxSessionsPerUser(),
                config.maxLiveClis());
        return Persistence.open(config.databaseUrl(), schedulers.db())
                .flatMap(store -> stopLeftovers(store, config, schedulers)
                        .then(DiscordBot.start(config, chat -> new SessionRegistry(runtime, chat, store, settings,
                                clock), schedulers.processStart(), clock))
                        .flatMap(bot -> bot.sessions().restore()
                                .doOnNext(n -> log.info("restored {} sessions", n))
                                .thenReturn(bot))
                        .map(bot -> {
                            Duration period = config.idleTimeout().dividedBy(4).compareTo(Duration.ofSeconds(30)) > 0
                                    ? Duration.ofSeconds(30) : config.idleTimeout().dividedBy(4);
                            Disposable reaper = bot.sessions().idleReaper(period)
                                    .subscribe(null, e -> log.error("idle reaper stopped", e));
                            return new Application(bot, store, schedulers, reaper);
                        })
                        .onErrorResume(e -> Persistence.close(store).then(Mono.error(e))))
                .doOnError(e -> schedulers.close());
    }

    /** The CLIs a crashed run left behind, found by pid and start time, are stopped before anything starts. */
    private static Mono<Void> stopLeftovers(SessionStore store, BridgeConfig config, BotSchedulers schedulers) {
        return store.children().collectList()
                .flatMap(children -> Mono.fromCallable(() -> Orphans.stop(children.stream()
                                .map(c -> new Orphans.Child(c.pid(), c.startedAt())).toList(), config.killAfter()))
                        .subscribeOn(schedulers.processStart())
                        .thenMany(Flux.fromIterable(children))
                        .concatMap(c -> store.removeChild(c.pid()))
                        .then());
    }

    public DiscordBot bot() {
        return bot;
    }

    public SessionRegistry sessions() {
        return bot.sessions();
    }

    public Mono<Void> onDisconnect() {
        return bot.onDisconnect();
    }

    /** Stops every CLI (in parallel), persists, and logs out, within {@code deadline}. */
    public Mono<Void> stop(Duration deadline) {
        reaper.dispose();
        return Flux.fromIterable(bot.sessions().all())
                .flatMap(s -> s.release(java.util.Optional.empty()).onErrorResume(e -> Mono.empty()))
                .then(bot.sessions().flush())
                .timeout(deadline, Mono.empty())
                .then(bot.logout().onErrorResume(e -> Mono.empty()))
                .then(Persistence.close(store))
                .doFinally(s -> schedulers.close());
    }
}
