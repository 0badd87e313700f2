package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.MattermostConfig;
import dev.claudebridge.core.actor.KeyedLanes;
import dev.claudebridge.core.inbound.Admins;
import dev.claudebridge.core.inbound.Bridge;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.session.Presence;
import dev.claudebridge.core.session.SessionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

/**
 * The Mattermost adapter: connects ({@link #login}: who the bot is, the server's limits, the action callbacks'
 * server when a callback URL is set), then, once the core is ready for it ({@link #serve}), opens the WebSocket and
 * routes its events to the core, in lanes as Discord's. Each post is handled exactly once: the WebSocket's reconnect
 * replays what the server kept, and when it kept nothing ({@link MattermostSocket.Gap}) the posts since the last one
 * seen are fetched over REST from every channel the bot listens in; post ids already handled are skipped.
 */
public final class MattermostBot {
    private static final Logger log = LoggerFactory.getLogger(MattermostBot.class);
    /** A key's lane ends after this long without events, as Discord's. */
    static final Duration LANE_IDLE = Duration.ofMinutes(1);
    /** Post ids remembered as handled; far more than a reconnect's catch-up brings. */
    static final int SEEN_POSTS = 10_000;

    private final MattermostConfig settings;
    private final BridgeConfig config;
    private final MattermostChat chat;
    private final MattermostSocket socket;
    private final Optional<ActionServer> actionServer;
    private final Sinks.Many<MattermostInbound> actions;
    private final Scheduler blocking;
    private final Clock clock;
    private final AtomicReference<SessionRegistry> sessions = new AtomicReference<>();
    private final Disposable.Composite subscriptions = Disposables.composite();
    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SEEN_POSTS;
        }
    });
    /** The server time of the newest post seen: where a REST catch-up starts. */
    private final AtomicLong lastPostAt = new AtomicLong();

    private MattermostBot(MattermostConfig settings, BridgeConfig config, MattermostChat chat,
            MattermostSocket socket, Optional<ActionServer> actionServer, Sinks.Many<MattermostInbound> actions,
            Scheduler blocking, Clock clock) {
        this.settings = settings;
        this.config = config;
        this.chat = chat;
        this.socket = socket;
        this.actionServer = actionServer;
        this.actions = actions;
        this.blocking = blocking;
        this.clock = clock;
    }

    /**
     * Reads who the bot is and the server's limits and, with a callback URL, starts serving the action callbacks
     * (clicks that come before {@link #serve} wait for it); completes when both are there.
     *
     * @param blocking a scheduler where short disk checks may block
     */
    public static Mono<MattermostBot> login(MattermostConfig settings, BridgeConfig config, Scheduler blocking,
            Clock clock) {
        return Mono.defer(() -> {
            HttpClient http = HttpClient.create();
            String secret = ActionServer.secret(settings.token());
            Sinks.Many<MattermostInbound> actions = Sinks.many().unicast().onBackpressureBuffer();
            Optional<MattermostChat.Callback> callback = settings.callbackUrl()
                    .map(url -> new MattermostChat.Callback(url.replaceAll("/+$", "") + ActionServer.PATH, secret));
            Mono<Optional<ActionServer>> server = settings.callbackPort()
                    .map(port -> ActionServer.start(config.opsBindAddress(), port, secret,
                            action -> emit(actions, action)).map(Optional::of))
                    .orElse(Mono.just(Optional.empty()));
            return Mono.zip(MattermostChat.connect(http, settings.url(), settings.token(), callback,
                            config.editInterval(), clock), server)
                    .map(t -> new MattermostBot(settings, config, t.getT1(),
                            new MattermostSocket(http, settings.url(), settings.token()), t.getT2(), actions,
                            blocking, clock));
        });
    }

    /** Callbacks come on the server's event loops, several at once: the sink takes one at a time. */
    private static void emit(Sinks.Many<MattermostInbound> sink, MattermostInbound in) {
        synchronized (sink) {
            Sinks.EmitResult result = sink.tryEmitNext(in);
            if (result.isFailure()) {
                log.warn("an action callback was not handed on: {}", result);
            }
        }
    }

    /** The chat port, for the registry to {@link SessionRegistry#attach attach} before stored sessions come back. */
    public ChatPlatform chat() {
        return chat;
    }

    /** The port the action callbacks are served on, when a callback URL is set. */
    public Optional<Integer> callbackPort() {
        return actionServer.map(ActionServer::port);
    }

    /**
     * Hands the WebSocket's events and the action callbacks to the core from now on and keeps the bot's status up
     * to date; completes once the allowed users and teams are known. Call it once, after the stored sessions are
     * restored.
     */
    public Mono<Void> serve(SessionRegistry registry) {
        if (!sessions.compareAndSet(null, registry)) {
            return Mono.error(new IllegalStateException("already serving"));
        }
        People people = new People(chat.api(), clock);
        MattermostPlaces places = new MattermostPlaces(settings.mainChannelId());
        // The restored sessions' channels are places the bot listens in (a restart must not forget a user's DM).
        registry.parentChannels(chat.platform()).stream()
                .filter(c -> settings.mainChannelId().filter(c::equals).isEmpty())
                .forEach(places::learnDirect);
        lastPostAt.set(clock.millis());
        // Names for mentions: a restored session's owner may not post again before the bot names them.
        Set<String> named = new HashSet<>(registry.owners(chat.platform()));
        Mono<Void> names = Mono.defer(() -> {
            named.addAll(people.policy().userIds());
            return chat.learnUsers(named);
        }).onErrorResume(e -> {
            log.warn("could not learn the display names of {} users; mentions show their ids until they post: {}",
                    named.size(), e.toString());
            return Mono.empty();
        });
        return people.load(settings).then(names).then(Mono.fromRunnable(() -> {
            Bridge bridge = new Bridge(registry, chat, people.policy(), places, config.workspaceRoot(), blocking,
                    Schedulers.parallel(), clock, Bridge.CHOICE_TTL,
                    new Admins(config.admins().mattermostUsers(), java.util.Set.of()));
            MattermostEvents events = new MattermostEvents(bridge, chat, people, places);
            Flux<MattermostInbound> inbound = Flux.merge(socket.signals().concatMap(s -> signal(s, places)),
                    actions.asFlux());
            KeyedLanes<MattermostInbound, String> lanes = new KeyedLanes<>("mattermost", events::lane,
                    events::handle, LANE_IDLE, Schedulers.parallel());
            subscriptions.add(lanes.run(inbound).subscribe(null, e -> log.error("the event lanes stopped", e)));
            subscriptions.add(presence(registry.presence(), config.presenceMinInterval())
                    .subscribe(null, e -> log.error("presence updates stopped", e)));
        }));
    }

    /** One signal of the socket as what the bot acts on: posts (each once), reactions; a gap is caught up. */
    private Flux<MattermostInbound> signal(MattermostSocket.Signal signal, MattermostPlaces places) {
        return switch (signal) {
            case MattermostSocket.Gap gap -> catchUp(places);
            case MattermostSocket.Event e when e.type().equals("posted") -> {
                JsonNode post = e.post();
                yield fresh(new MattermostInbound.Post(post.path("id").asText(), post.path("user_id").asText(),
                        post.path("channel_id").asText(), post.path("root_id").asText(""),
                        e.data().path("channel_type").asText(""), e.data().path("team_id").asText(""),
                        post.path("message").asText(""), post.path("type").asText(""),
                        post.path("create_at").asLong(), MattermostInbound.File.of(post)));
            }
            case MattermostSocket.Event e when e.type().equals("reaction_added") -> {
                JsonNode r = MattermostSocket.parse(e.data().path("reaction").asText("{}"));
                yield Flux.just(new MattermostInbound.Reaction(r.path("user_id").asText(), r.path("post_id").asText(),
                        r.path("channel_id").asText(), r.path("emoji_name").asText()));
            }
            default -> Flux.empty();
        };
    }

    /** The post, unless it was handled already (a replay and a catch-up may both bring it). */
    private Flux<MattermostInbound> fresh(MattermostInbound.Post post) {
        synchronized (seen) {
            if (!seen.add(post.id())) {
                return Flux.empty();
            }
        }
        lastPostAt.accumulateAndGet(post.createAt(), Math::max);
        return Flux.just(post);
    }

    /**
     * The server no longer held what was sent while the socket was down: the posts since the newest one seen, from
     * every channel the bot listens in, oldest first, each once.
     */
    private Flux<MattermostInbound> catchUp(MattermostPlaces places) {
        long since = lastPostAt.get();
        log.info("websocket resumed without the missed events: fetching posts since {} over REST", since);
        return Flux.fromIterable(places.channels())
                .concatMap(channel -> chat.api().get("/channels/" + channel + "/posts?since=" + since)
                        .flatMapIterable(list -> posts(list, channel, places.isDirect(channel) ? "D" : "O", since))
                        .onErrorResume(e -> {
                            log.warn("catching up channel {} failed: {}", channel, e.toString());
                            return Flux.empty();
                        }))
                .collectList()
                .flatMapMany(all -> Flux.fromIterable(all.stream()
                        .sorted(Comparator.comparingLong(MattermostInbound.Post::createAt)).toList()))
                .concatMap(this::fresh);
    }

    /** The posts made since then ({@code since} also brings older posts edited or reacted to since: not new). */
    private static List<MattermostInbound.Post> posts(JsonNode list, String channel, String channelType,
            long since) {
        List<MattermostInbound.Post> out = new ArrayList<>();
        list.path("posts").forEach(p -> {
            if (p.path("delete_at").asLong(0) == 0 && p.path("create_at").asLong() > since) {
                out.add(new MattermostInbound.Post(p.path("id").asText(), p.path("user_id").asText(), channel,
                        p.path("root_id").asText(""), channelType, "", p.path("message").asText(""),
                        p.path("type").asText(""), p.path("create_at").asLong(), MattermostInbound.File.of(p)));
            }
        });
        return out;
    }

    /** The bot's status from the sessions' states: only changes, at most one per {@code minInterval}. */
    private Mono<Void> presence(Flux<Presence> presence, Duration minInterval) {
        AtomicReference<Presence> sent = new AtomicReference<>();
        return presence.distinctUntilChanged().onBackpressureLatest()
                .concatMap(p -> p.equals(sent.get()) ? Mono.empty()
                        : chat.presence(status(p.status()), p.text())
                                .doOnSuccess(v -> sent.set(p))
                                .onErrorResume(e -> {
                                    log.debug("status update failed: {}", e.toString());
                                    return Mono.empty();
                                })
                                .then(Mono.delay(minInterval)).then(), 1)
                .then();
    }

    /** Discord's table: ready is online, sessions open is away, a turn running is do not disturb. */
    static String status(Presence.Status status) {
        return switch (status) {
            case READY -> "online";
            case OPEN -> "away";
            case WORKING -> "dnd";
        };
    }

    /** The registry given to {@link #serve}. */
    public SessionRegistry sessions() {
        return sessions.get();
    }

    /** Whether the WebSocket is connected now (readiness: false while it reconnects, and before {@link #serve}). */
    public Mono<Boolean> connected() {
        return Mono.just(socket.open());
    }

    /** Stops handling events and serving callbacks. */
    public Mono<Void> logout() {
        subscriptions.dispose();
        return actionServer.map(ActionServer::stop).orElse(Mono.empty());
    }
}
