package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves the interactive actions' callbacks ({@code MATTERMOST_CALLBACK_PORT}, never the ops port): the Mattermost
 * server POSTs the clicker, the post and the action's context to {@code <callback URL>/actions}. A callback whose
 * context does not carry the bot's secret is refused with 403 (anyone who can reach the port could forge one);
 * a good one is handed on as a {@link MattermostInbound.Action} and answered at once with an empty JSON object (no
 * change to the post: the bot changes it itself, over REST, when the core has decided).
 */
final class ActionServer {
    private static final Logger log = LoggerFactory.getLogger(ActionServer.class);
    static final String PATH = "/actions";
    /** A callback's body is small (ids and a context); anything larger is not Mattermost's. */
    static final int MAX_BODY = 64 * 1024;

    private final DisposableServer server;

    private ActionServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * The secret each action's context carries: derived from the bot's token (stable across restarts, so buttons
     * posted before one still work after it, and unknown to anyone who does not hold the token).
     */
    static String secret(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("claude-bridge mattermost actions\n" + token).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Mono<ActionServer> start(String bindAddress, int port, String secret,
            Consumer<MattermostInbound.Action> actions) {
        return HttpServer.create().host(bindAddress).port(port)
                .route(routes -> routes.post(PATH, (request, response) -> handle(request, response, secret, actions)))
                .bind()
                .map(ActionServer::new);
    }

    private static Mono<Void> handle(HttpServerRequest request, HttpServerResponse response, String secret,
            Consumer<MattermostInbound.Action> actions) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                .flatMap(bytes -> {
                    if (bytes.length > MAX_BODY) {
                        return response.status(413).send();
                    }
                    JsonNode call = MattermostSocket.parse(new String(bytes, StandardCharsets.UTF_8));
                    JsonNode context = call.path("context");
                    String given = context.path(Attachments.SECRET).asText("");
                    if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                            secret.getBytes(StandardCharsets.UTF_8))) {
                        log.warn("an action callback without the bot's secret was refused");
                        return response.status(403).send();
                    }
                    String selected = context.path("selected_option").asText("");
                    actions.accept(new MattermostInbound.Action(call.path("user_id").asText(""),
                            call.path("post_id").asText(""), call.path("channel_id").asText(""),
                            call.path("team_id").asText(""), context.path(Attachments.CUSTOM_ID).asText(""),
                            selected.isEmpty() ? List.of() : List.of(selected)));
                    return response.header("Content-Type", "application/json").sendString(Mono.just("{}")).then();
                });
    }

    int port() {
        return server.port();
    }

    Mono<Void> stop() {
        return Mono.fromRunnable(server::dispose).then(server.onDispose());
    }
}
