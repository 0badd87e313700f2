package dev.claudebridge.discord;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.actor.KeyedLanes;
import dev.claudebridge.core.inbound.AccessPolicy;
import dev.claudebridge.core.inbound.Bridge;
import dev.claudebridge.core.session.SessionRegistry;
import discord4j.core.DiscordClient;
import discord4j.core.DiscordClientBuilder;
import discord4j.core.GatewayDiscordClient;
import discord4j.core.event.EventDispatcher;
import discord4j.core.event.domain.interaction.ButtonInteractionEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.interaction.SelectMenuInteractionEvent;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.event.domain.thread.ThreadChannelUpdateEvent;
import discord4j.core.object.presence.ClientActivity;
import discord4j.core.object.presence.ClientPresence;
import discord4j.gateway.intent.Intent;
import discord4j.gateway.intent.IntentSet;
import discord4j.rest.request.DefaultRouter;
import discord4j.rest.request.RouterOptions;
import discord4j.rest.util.AllowedMentions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/** The Discord adapter: logs in, registers the commands, and routes gateway events to the core. */
public final class DiscordBot {

    private static final Logger log = LoggerFactory.getLogger(DiscordBot.class);
    static final IntentSet INTENTS = IntentSet.of(Intent.GUILDS, Intent.GUILD_MESSAGES, Intent.MESSAGE_CONTENT);
    /** A key's lane ends after this long without events, so lanes of threads gone quiet do not accumulate. */
    static final Duration LANE_IDLE = Duration.ofMinutes(1);

    private final GatewayDiscordClient gateway;
    private final SessionRegistry sessions;
    private final Disposable.Composite subscriptions;

    private DiscordBot(GatewayDiscordClient gateway, SessionRegistry sessions, Disposable.Composite subscriptions) {
        this.gateway = gateway;
        this.sessions = sessions;
        this.subscriptions = subscriptions;
    }

    /**
     * Logs in and starts handling events.
     *
     * @param sessions the core's registry, shared by every platform; this adapter attaches its chat port to it
     * @param blocking a scheduler where short disk checks may block
     * @param metrics  where the REST traffic is counted (route templates and status codes only)
     */
    public static Mono<DiscordBot> start(BridgeConfig config, SessionRegistry registry, Scheduler blocking,
            Clock clock, MeterRegistry metrics) {
        EditPacer pacer = new EditPacer(clock, config.editInterval());
        RestMetrics rest = new RestMetrics(metrics);
        DiscordClientBuilder<DiscordClient, RouterOptions> builder = DiscordClientBuilder.create(config.discordToken());
        builder.onClientResponse(pacer.responseFunction());
        builder.setGlobalRateLimiter(EditPacer.globalRateLimiter());
        builder.setDefaultAllowedMentions(AllowedMentions.suppressAll());
        builder.setReactorResources(rest.resources());
        builder.onClientResponse(rest.responseFunction());
        DiscordClient client = config.usesRealDiscord() ? builder.build() : builder.build(routerFor(config));
        DiscordChat chat = new DiscordChat(client, pacer);
        registry.attach(chat);
        AccessPolicy access = new AccessPolicy(ids(config.allowedUserIds()), ids(config.allowedRoleIds()),
                config.allowEveryone());
        Bridge bridge = new Bridge(registry, chat, access, String.valueOf(config.discordMainChannelId()),
                config.workspaceRoot(), blocking, Schedulers.parallel(), clock, Bridge.CHOICE_TTL);
        DiscordEvents events = new DiscordEvents(bridge);
        return client.gateway()
                .setEnabledIntents(INTENTS)
                // A large buffer so a burst never parks a gateway thread; handlers only enqueue (docs/architecture.md, style P2).
                .setEventDispatcher(EventDispatcher.builder()
                        .eventSink(spec -> spec.multicast().onBackpressureBuffer(Queues.XS_BUFFER_SIZE * 256,
                                false))
                        .build())
                .setInitialPresence(shard -> ClientPresence.online(ClientActivity.custom("Ready")))
                .login()
                .flatMap(gateway -> SlashCommands.register(client, config.discordGuildId(), bridge.commands())
                        .thenReturn(gateway))
                .map(gateway -> {
                    Disposable.Composite subs = Disposables.composite();
                    // One stream of the events the bot acts on, in lanes by key: a session's thread, or the user
                    // for what has no thread yet (main-channel messages, /new, pickers). A lane only translates and
                    // hands the event to the core, which enqueues: it never waits for REST, a CLI or a turn.
                    Flux<DiscordInbound> inbound = Flux.merge(
                            gateway.on(MessageCreateEvent.class).map(DiscordInbound.Message::new),
                            gateway.on(ChatInputInteractionEvent.class).map(DiscordInbound.Command::new),
                            gateway.on(ButtonInteractionEvent.class).map(e -> new DiscordInbound.Click(e, List.of())),
                            gateway.on(SelectMenuInteractionEvent.class)
                                    .map(e -> new DiscordInbound.Click(e, e.getValues())),
                            gateway.on(ThreadChannelUpdateEvent.class).map(DiscordInbound.Archive::new));
                    KeyedLanes<DiscordInbound, String> lanes = new KeyedLanes<>("discord",
                            e -> bridge.session(e.channelId()).isPresent() ? "thread:" + e.channelId()
                                    : "user:" + e.userId(),
                            events::handle, LANE_IDLE, Schedulers.parallel());
                    subs.add(lanes.run(inbound).subscribe(null, e -> log.error("the event lanes stopped", e)));
                    subs.add(PresenceUpdater.run(registry.presence(), gateway, config.presenceMinInterval())
                            .subscribe(null, e -> log.error("presence updates stopped", e)));
                    return new DiscordBot(gateway, registry, subs);
                });
    }

    private static Set<String> ids(Set<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.toSet());
    }

    private static Function<RouterOptions, discord4j.rest.request.Router> routerFor(BridgeConfig config) {
        return options -> new DefaultRouter(new RouterOptions(options.getToken(), options.getReactorResources(),
                options.getExchangeStrategies(), options.getResponseTransformers(), options.getGlobalRateLimiter(),
                options.getRequestQueueFactory(), config.discordApiBaseUrl()));
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    /** Whether the gateway connection is up now (readiness: false while it reconnects). */
    public Mono<Boolean> connected() {
        return gateway.getGatewayClient(0).map(client -> client.isConnected()).orElse(Mono.just(false));
    }

    /** Completes when the gateway disconnects for good. */
    public Mono<Void> onDisconnect() {
        return gateway.onDisconnect();
    }

    public Mono<Void> logout() {
        subscriptions.dispose();
        return gateway.logout();
    }

}
