package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The fake's one port on 127.0.0.1: REST under {@code /api/v4/}, the WebSocket at {@code /api/v4/websocket}, the
 * control API under {@code /_sim/}. Public only so that {@code FakeMattermost} (one package up) can start it.
 */
public final class MattermostServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MattermostServer.class);

    final MmState state;
    final Hub hub;
    final RestApi rest;
    final Actions actions;
    private final ControlApi control;
    private final DisposableServer server;

    private MattermostServer(FakeMattermostSettings settings) {
        this.hub = new Hub(settings.reconnectWindowMillis());
        this.state = new MmState(settings, hub);
        hub.tokens(state::userByToken);
        this.actions = new Actions(state);
        this.rest = new RestApi(state, actions);
        this.control = new ControlApi(this);
        this.server = HttpServer.create().host("127.0.0.1").port(settings.port())
                .handle(this::route)
                .bindNow(Duration.ofSeconds(10));
        rest.siteUrl("http://127.0.0.1:" + server.port());
    }

    public static MattermostServer start(FakeMattermostSettings settings) {
        return new MattermostServer(settings);
    }

    public int port() {
        return server.port();
    }

    // ---- for FakeMattermost (the public facade one package up)

    public MmUser createUser(String username, String firstName, String lastName, boolean bot) {
        return state.createUser(username, firstName, lastName, bot);
    }

    public String createTeam(String name) {
        return state.createTeam(name);
    }

    public MmChannel createChannel(String teamId, String name, java.util.Set<String> members) {
        return state.createChannel(teamId, name, "O", members);
    }

    public MmChannel join(String channelId, String userId) {
        return state.join(channelId, userId);
    }

    public MmChannel direct(String a, String b) {
        return state.direct(a, b);
    }

    public MmChannel channel(String id) {
        return state.channel(id);
    }

    public String post(MmUser as, String channelId, String rootId, String message) {
        return post(as, channelId, rootId, message, List.of());
    }

    public String post(MmUser as, String channelId, String rootId, String message, List<String> fileIds) {
        return state.create(as.id(), channelId, rootId, message, MmJson.object(), fileIds).path("id").asText();
    }

    public MmFile upload(MmUser as, String channelId, String name, String mimeType, byte[] content) {
        return state.upload(as.id(), channelId, name, mimeType, content);
    }

    public void react(MmUser as, String postId, String emoji) {
        state.react(as.id(), postId, emoji);
    }

    public void unreact(MmUser as, String postId, String emoji) {
        state.unreact(as.id(), postId, emoji);
    }

    public Mono<JsonNode> click(MmUser as, String postId, String actionId, String selectedOption) {
        return actions.click(as, postId, actionId, selectedOption).map(r -> r);
    }

    public void deletePost(String postId) {
        state.delete(postId);
    }

    public void agePost(String postId, Duration by) {
        state.age(postId, by.toMillis());
    }

    public MmPost snapshot(String postId) {
        return state.snapshot(postId);
    }

    public List<MmPost> posts(String channelId) {
        return state.posts(channelId);
    }

    public List<MmPost> allPosts() {
        return state.allPosts();
    }

    public Optional<MmFile> file(String id) {
        return state.file(id);
    }

    public List<Ping> pings() {
        return state.pings();
    }

    public String status(String userId) {
        return state.status(userId);
    }

    public Optional<JsonNode> customStatus(String userId) {
        return state.customStatus(userId);
    }

    public List<com.fasterxml.jackson.databind.node.ObjectNode> ephemerals() {
        return state.ephemerals();
    }

    public java.util.Map<String, Long> requestCounts() {
        return rest.counts();
    }

    public long rateLimited() {
        return rest.limited();
    }

    public int dropWebSockets(Optional<String> userId) {
        return hub.drop(userId);
    }

    public void forgetDroppedConnections() {
        hub.forgetDropped();
    }

    public int openWebSockets() {
        return hub.openSockets();
    }

    public FakeMattermostSettings settings() {
        return state.settings();
    }

    private Mono<Void> route(HttpServerRequest request, HttpServerResponse response) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        if (path.equals("/api/v4/websocket") || path.equals("/api/v4/websocket/")) {
            return websocket(request, response);
        }
        if (path.startsWith("/api/v4/")) {
            return rest.serve(request, response);
        }
        if (path.startsWith("/_sim/")) {
            return control.serve(request, response, path);
        }
        return response.status(404).send();
    }

    private Mono<Void> websocket(HttpServerRequest request, HttpServerResponse response) {
        if (!request.requestHeaders().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return response.status(400).send();
        }
        String header = request.requestHeaders().get("Authorization");
        Optional<MmUser> byHeader = Optional.empty();
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byHeader = state.userByToken(header.substring(7).trim());
            if (byHeader.isEmpty()) {
                return response.status(401).header("Content-Type", "application/json")
                        .sendString(Mono.just(MmJson.write(MmError.unauthorized().body(MmIds.next())))).then();
            }
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String connectionId = first(query, "connection_id");
        String sequence = first(query, "sequence_number");
        Optional<MmUser> user = byHeader;
        WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(1 << 20).build();
        return response.sendWebsocket((in, out) -> {
            Socket socket = new Socket();
            out.withConnection(socket::bind);
            hub.opened(socket, user, connectionId, sequence);
            Mono<Void> reading = in.receive().asString()
                    .doOnNext(text -> {
                        JsonNode frame;
                        try {
                            frame = MmJson.MAPPER.readTree(text);
                        } catch (IOException e) {
                            socket.drop(); // the server closes a socket that sends what it cannot decode
                            return;
                        }
                        hub.action(socket, frame);
                    })
                    .then()
                    .doFinally(signal -> hub.closed(socket));
            Mono<Void> writing = out.sendString(socket.frames()).then();
            return Mono.when(reading, writing).onErrorResume(e -> {
                log.debug("websocket ended: {}", e.toString());
                return Mono.empty();
            });
        }, spec);
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> v = query.parameters().get(name);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }
}
