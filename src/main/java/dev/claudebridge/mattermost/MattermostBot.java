package dev.claudebridge.mattermost;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.MattermostConfig;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.session.SessionRegistry;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClient;

/**
 * The Mattermost adapter: connects ({@link #login}: who the bot is, the server's limits), then, once the core is
 * ready for it ({@link #serve}), opens the WebSocket and routes its events to the core. Same two steps as Discord's.
 */
public final class MattermostBot {

    private final MattermostConfig settings;
    private final BridgeConfig config;
    private final MattermostChat chat;
    private final HttpClient http;
    private final Scheduler blocking;
    private final Clock clock;
    private final AtomicReference<SessionRegistry> sessions = new AtomicReference<>();
    private final AtomicBoolean connected = new AtomicBoolean();
    private final Disposable.Composite subscriptions = Disposables.composite();

    private MattermostBot(MattermostConfig settings, BridgeConfig config, MattermostChat chat, HttpClient http,
            Scheduler blocking, Clock clock) {
        this.settings = settings;
        this.config = config;
        this.chat = chat;
        this.http = http;
        this.blocking = blocking;
        this.clock = clock;
    }

    /**
     * Reads who the bot is and the server's limits; completes when the REST API answered. Nothing is handled until
     * {@link #serve}.
     *
     * @param blocking a scheduler where short disk checks may block
     */
    public static Mono<MattermostBot> login(MattermostConfig settings, BridgeConfig config, Scheduler blocking,
            Clock clock) {
        return Mono.defer(() -> {
            HttpClient http = HttpClient.create();
            return MattermostChat.connect(http, settings.url(), settings.token(), java.util.Optional.empty(), clock)
                    .map(chat -> new MattermostBot(settings, config, chat, http, blocking, clock));
        });
    }

    /** The chat port, for the registry to {@link SessionRegistry#attach attach} before stored sessions come back. */
    public ChatPlatform chat() {
        return chat;
    }

    /** Hands the WebSocket's events to the core from now on; call it once, after the stored sessions are restored. */
    public Mono<Void> serve(SessionRegistry registry) {
        if (!sessions.compareAndSet(null, registry)) {
            return Mono.error(new IllegalStateException("already serving"));
        }
        return Mono.empty();
    }

    /** The registry given to {@link #serve}. */
    public SessionRegistry sessions() {
        return sessions.get();
    }

    /** Whether the WebSocket is connected now (readiness: false while it reconnects). */
    public Mono<Boolean> connected() {
        return Mono.just(connected.get());
    }

    public Mono<Void> logout() {
        subscriptions.dispose();
        return Mono.empty();
    }
}
