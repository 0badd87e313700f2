package dev.claudebridge.discord;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.actor.KeyedLanes;
import dev.claudebridge.core.inbound.AccessPolicy;
import dev.claudebridge.core.inbound.Admins;
import dev.claudebridge.core.inbound.Bridge;
import dev.claudebridge.core.inbound.MainPlace;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.session.SessionRegistry;
import discord4j.core.DiscordClient;
import discord4j.core.DiscordClientBuilder;
import discord4j.core.GatewayDiscordClient;
import discord4j.core.event.EventDispatcher;
import discord4j.core.event.domain.Event;
import discord4j.core.event.domain.interaction.ButtonInteractionEvent;
import discord4j.core.event.domain.interaction.ChatInputAutoCompleteEvent;
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
import java.util.concurrent.atomic.AtomicReference;
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
import reactor.netty.http.client.HttpClient;
import reactor.util.concurrent.Queues;

/**
 * The Discord adapter: logs in, then, once the core is ready for it, registers the commands (when they changed) and
 * routes gateway events to the core.
 *
 * <p>Start-up in two steps ({@link #login}, then {@link #serve}), so the login runs while the store opens: events that
 * arrive between the gateway's READY and {@link #serve} are not lost. Discord4J's event sink keeps what is published
 * before its first subscriber, and the bot subscribes once, to every event, so all of them reach that one subscriber
 * in order (with one subscription per event type, the first would take the kept events and the others would miss
 * theirs).
 */
public final class DiscordBot {

    private static final Logger log = LoggerFactory.getLogger(DiscordBot.class);
    static final IntentSet INTENTS = IntentSet.of(Intent.GUILDS, Intent.GUILD_MESSAGES, Intent.MESSAGE_CONTENT);
    /** A key's lane ends after this long without events, so lanes of threads gone quiet do not accumulate. */
    static final Duration LANE_IDLE = Duration.ofMinutes(1);
    /** The longest wait for the next bytes of an attachment from the CDN. */
    static final Duration ATTACHMENT_TIMEOUT = Duration.ofSeconds(30);

    private final BridgeConfig config;
    private final GatewayDiscordClient gateway;
    private final DiscordChat chat;
    private final Scheduler blocking;
    private final Clock clock;
    private final Disposable.Composite subscriptions = Disposables.composite();
    private final AtomicReference<SessionRegistry> sessions = new AtomicReference<>();

    private DiscordBot(BridgeConfig config, GatewayDiscordClient gateway, DiscordChat chat, Scheduler blocking,
            Clock clock) {
        this.config = config;
        this.gateway = gateway;
        this.chat = chat;
        this.blocking = blocking;
        this.clock = clock;
    }

    /**
     * Builds the client and logs in; completes at the gateway's READY. Nothing is handled until {@link #serve}.
     *
     * @param blocking a scheduler where short disk checks may block
     * @param metrics  where the REST traffic is counted (route templates and status codes only)
     */
    public static Mono<DiscordBot> login(BridgeConfig config, Scheduler blocking, Clock clock, MeterRegistry metrics) {
        return Mono.defer(() -> {
            EditPacer pacer = new EditPacer(clock, config.editInterval());
            RestMetrics rest = new RestMetrics(metrics);
            DiscordClientBuilder<DiscordClient, RouterOptions> builder =
                    DiscordClientBuilder.create(config.discordToken());
            builder.onClientResponse(pacer.responseFunction());
            builder.setGlobalRateLimiter(EditPacer.globalRateLimiter());
            builder.setDefaultAllowedMentions(AllowedMentions.suppressAll());
            builder.setReactorResources(rest.resources());
            builder.onClientResponse(rest.responseFunction());
            DiscordClient client = config.usesRealDiscord() ? builder.build() : builder.build(routerFor(config));
            DiscordChat chat = new DiscordChat(client, pacer, config.files().discordUploadLimit());
            return client.gateway()
                    .setEnabledIntents(INTENTS)
                    // A large buffer so a burst never parks a gateway thread; handlers only enqueue (docs/architecture.md, style P2).
                    // It also keeps the events that arrive before serve() subscribes.
                    .setEventDispatcher(EventDispatcher.builder()
                            .eventSink(spec -> spec.multicast().onBackpressureBuffer(Queues.XS_BUFFER_SIZE * 256,
                                    false))
                            .build())
                    .setInitialPresence(shard -> ClientPresence.online(ClientActivity.custom("Ready")))
                    .login()
                    .map(gateway -> new DiscordBot(config, gateway, chat, blocking, clock));
        });
    }

    /** The chat port, for the registry to {@link SessionRegistry#attach attach} before stored sessions come back. */
    public ChatPlatform chat() {
        return chat;
    }

    /**
     * Hands the gateway's events to the core from now on (those since READY first, in order) and keeps the presence
     * up to date; at the same time the slash commands are registered if Discord's differ. Completes when the commands
     * are in place; call it once, after the registry's stored sessions are restored.
     */
    public Mono<Void> serve(SessionRegistry registry) {
        if (!sessions.compareAndSet(null, registry)) {
            return Mono.error(new IllegalStateException("already serving"));
        }
        AccessPolicy access = new AccessPolicy(ids(config.allowedUserIds()), ids(config.allowedRoleIds()),
                config.allowEveryone());
        Bridge bridge = new Bridge(registry, chat, access, MainPlace.channel(String.valueOf(
                config.discordMainChannelId())), config.workspaceRoot(), blocking, Schedulers.parallel(), clock,
                Bridge.CHOICE_TTL, new Admins(ids(config.admins().discordUserIds()),
                        ids(config.admins().discordRoleIds())));
        // Attachments come from Discord's CDN: signed URLs, no token (it must never go to another host).
        DiscordEvents events = new DiscordEvents(bridge, HttpClient.create().followRedirect(true)
                .responseTimeout(ATTACHMENT_TIMEOUT));
        // One stream of the events the bot acts on, in lanes by key: a session's thread, or the user for what has no
        // thread yet (main-channel messages, /new, pickers). A lane only translates and hands the event to the core,
        // which enqueues: it never waits for REST, a CLI or a turn.
        Flux<DiscordInbound> inbound = gateway.on(Event.class).handle((event, sink) -> {
            DiscordInbound in = inbound(event);
            if (in != null) {
                sink.next(in);
            }
        });
        KeyedLanes<DiscordInbound, String> lanes = new KeyedLanes<>("discord",
                e -> bridge.session(e.channelId()).isPresent() ? "thread:" + e.channelId() : "user:" + e.userId(),
                events::handle, LANE_IDLE, Schedulers.parallel());
        subscriptions.add(lanes.run(inbound).subscribe(null, e -> log.error("the event lanes stopped", e)));
        subscriptions.add(PresenceUpdater.run(registry.presence(), gateway, config.presenceMinInterval())
                .subscribe(null, e -> log.error("presence updates stopped", e)));
        return SlashCommands.sync(gateway.getRestClient(), config.discordGuildId(), bridge.commands()).then();
    }

    /** The events the bot acts on, as one type; {@code null} for the others. */
    private static DiscordInbound inbound(Event event) {
        return switch (event) {
            case MessageCreateEvent e -> new DiscordInbound.Message(e);
            case ChatInputInteractionEvent e -> new DiscordInbound.Command(e);
            case ChatInputAutoCompleteEvent e -> new DiscordInbound.Autocomplete(e);
            case ButtonInteractionEvent e -> new DiscordInbound.Click(e, List.of());
            case SelectMenuInteractionEvent e -> new DiscordInbound.Click(e, e.getValues());
            case ThreadChannelUpdateEvent e -> new DiscordInbound.Archive(e);
            default -> null;
        };
    }

    private static Set<String> ids(Set<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.toSet());
    }

    private static Function<RouterOptions, discord4j.rest.request.Router> routerFor(BridgeConfig config) {
        return options -> new DefaultRouter(new RouterOptions(options.getToken(), options.getReactorResources(),
                options.getExchangeStrategies(), options.getResponseTransformers(), options.getGlobalRateLimiter(),
                options.getRequestQueueFactory(), config.discordApiBaseUrl()));
    }

    /** The registry given to {@link #serve}. */
    public SessionRegistry sessions() {
        return sessions.get();
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
