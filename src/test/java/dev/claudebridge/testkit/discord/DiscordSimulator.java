package dev.claudebridge.testkit.discord;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The running fake: one Reactor Netty server on 127.0.0.1 serving REST under {@code /api/v10}, the control API
 * under {@code /_sim/}, and the gateway websocket on every other path. Public only so that
 * {@code dev.claudebridge.testkit.FakeDiscord} can wrap it; use that class.
 */
public final class DiscordSimulator implements AutoCloseable {
    private final DiscordState state;
    private final Interactions interactions;
    private final Gateway gateway;
    private final RestApi rest;
    private final SimControlApi control;
    private final Cdn cdn;
    private final Faults faults = new Faults();
    private final RequestStats stats = new RequestStats();
    private final DisposableServer server;

    private DiscordSimulator(FakeDiscordSettings settings) {
        this.state = new DiscordState(FakeIds.FIXED, settings);
        this.interactions = new Interactions(state);
        this.gateway = new Gateway(state, FakeIds.TOKEN);
        this.rest = new RestApi(state, interactions, faults, stats, FakeIds.TOKEN);
        this.control = new SimControlApi(this);
        this.cdn = new Cdn(state);
        state.dispatchTo(gateway::dispatch);
        this.server = HttpServer.create().host("127.0.0.1").port(settings.port())
                .handle(this::route)
                .bindNow(Duration.ofSeconds(10));
        state.cdn = "http://127.0.0.1:" + server.port();
        String base = "ws://127.0.0.1:" + server.port();
        rest.gatewayUrl(base);
        gateway.resumeUrl(base + "/resume");
    }

    public static DiscordSimulator start(FakeDiscordSettings settings) {
        return new DiscordSimulator(settings);
    }

    private Mono<Void> route(HttpServerRequest request, HttpServerResponse response) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        if (RestApi.handles(path)) {
            return rest.serve(request, response);
        }
        if (Cdn.handles(path)) {
            return cdn.serve(request, response);
        }
        if (SimControlApi.handles(path)) {
            return control.serve(request, response, path);
        }
        if (request.requestHeaders().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(64 << 20).build();
            return response.sendWebsocket((in, out) -> gateway.serve(in, out, path), spec);
        }
        return response.status(404).send();
    }

    /** Discord4J's Jackson setup with every discord-json (de)serializer built up front (see {@link WarmJackson}). */
    public static discord4j.common.JacksonResources warmJackson() {
        return WarmJackson.RESOURCES;
    }

    public int port() {
        return server.port();
    }

    public FakeIds ids() {
        return state.ids;
    }

    // ---- injection ----

    public String userMessage(FakeUser user, String channelId, String content) {
        return state.userMessage(user, channelId, content);
    }

    public String userMessage(FakeUser user, String channelId, String content, List<UserFile> files) {
        return state.userMessage(user, channelId, content, files);
    }

    public InteractionRef slashCommand(FakeUser user, String channelId, String name, Map<String, ?> options) {
        return interactions.slashCommand(user, channelId, name, options);
    }

    public InteractionRef autocomplete(FakeUser user, String channelId, String name, Map<String, ?> options,
            String focused) {
        return interactions.autocomplete(user, channelId, name, options, focused);
    }

    public InteractionRef clickButton(FakeUser user, String messageId, String customId) {
        return interactions.component(user, messageId, customId, null);
    }

    public InteractionRef chooseSelect(FakeUser user, String messageId, String customId, List<String> values) {
        return interactions.component(user, messageId, customId, List.copyOf(values));
    }

    public void archiveThread(String threadId) {
        state.archiveThread(threadId);
    }

    public void deleteMessage(String messageId) {
        state.deleteMessage(messageId);
    }

    public void ageMessage(String messageId, Duration by) {
        state.ageMessage(messageId, by);
    }

    // ---- reading ----

    public List<PostedMessage> messages(String channelId) {
        return state.messagesIn(channelId);
    }

    public List<PostedMessage> allMessages() {
        return state.allMessages();
    }

    public Optional<PostedMessage> message(String messageId) {
        return state.find(messageId);
    }

    public List<ThreadView> threads() {
        return state.threads();
    }

    public Optional<InteractionView> interaction(String interactionId) {
        return interactions.view(interactionId);
    }

    public List<PresenceUpdate> presenceUpdates() {
        return state.presences();
    }

    public List<Ping> pings() {
        return state.pings();
    }

    public Map<String, Long> requestCounts() {
        return stats.requests();
    }

    public Map<String, Long> rateLimitCounts() {
        return stats.rateLimited();
    }

    public com.fasterxml.jackson.databind.JsonNode commands(String guildIdOrNull) {
        return state.commands(guildIdOrNull);
    }

    public Flux<Change> changes() {
        return state.changes();
    }

    public int gatewayConnections() {
        return gateway.connectionCount();
    }

    // ---- settings and faults ----

    public FakeDiscordSettings settings() {
        return state.settings();
    }

    public void updateSettings(UnaryOperator<FakeDiscordSettings> change) {
        state.updateSettings(change);
    }

    public void failRoute(String route, double share) {
        faults.errors(route, share);
    }

    public void delayRoute(String route, Duration latency) {
        faults.latency(route, latency);
    }

    public void clearFaults() {
        faults.clear();
    }

    public int dropGatewayConnections() {
        return gateway.dropConnections();
    }

    public int sendReconnect() {
        return gateway.requestReconnect();
    }

    public int sendInvalidSession(boolean resumable) {
        return gateway.invalidateSessions(resumable);
    }

    @Override
    public void close() {
        gateway.closeAll();
        server.disposeNow(Duration.ofSeconds(5));
    }
}
