package dev.claudebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * For the AOT cache's training run only ({@link Training}): a Mattermost on 127.0.0.1 that answers just what the
 * bot's Mattermost start-up asks (the bot account, the client config, the allowed users and teams, the bot's status)
 * and opens the WebSocket with its {@code hello}, so the cache holds the Mattermost adapter's start-up classes as it
 * holds Discord's. It is no Mattermost for anything else: one made-up team and user, everything else a 404.
 */
final class TrainingMattermost implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/v4";
    static final String BOT_ID = "trainingbot000000000000000";
    static final String USER_ID = "traininguser00000000000000";
    static final String USERNAME = "trainee";
    private static final String TEAM_ID = "trainingteam00000000000000";

    private final DisposableServer server;

    private TrainingMattermost(DisposableServer server) {
        this.server = server;
    }

    static TrainingMattermost start() {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get(API + "/users/me", (req, res) -> json(res, user(BOT_ID, "claude-bot")))
                        .get(API + "/config/client", (req, res) -> json(res, JSON.createObjectNode()
                                .put("MaxPostSize", "16383").put("PostEditTimeLimit", "-1").put("SiteURL", "")))
                        .post(API + "/users/usernames", (req, res) -> json(res, users()))
                        .post(API + "/users/ids", (req, res) -> json(res, users()))
                        .get(API + "/users/me/teams", (req, res) -> json(res, JSON.createArrayNode()
                                .add(JSON.createObjectNode().put("id", TEAM_ID).put("name", "training"))))
                        .put(API + "/users/{id}/status", (req, res) -> json(res, JSON.createObjectNode()))
                        .put(API + "/users/me/status/custom", (req, res) -> json(res, JSON.createObjectNode()))
                        .ws(API + "/websocket", (in, out) -> {
                            ObjectNode hello = JSON.createObjectNode().put("event", "hello").put("seq", 0);
                            hello.putObject("data").put("connection_id", "training-connection")
                                    .put("server_version", "11.0.0");
                            hello.putObject("broadcast").put("user_id", BOT_ID);
                            // The socket stays open until the bot closes it, as a server's does.
                            return out.sendString(Mono.just(hello.toString())).then()
                                    .then(in.receive().then());
                        })
                        .route(req -> true, (req, res) -> res.status(404).sendString(Mono.just(
                                "{\"id\": \"api.context.404.app_error\", \"status_code\": 404}"))))
                .bindNow();
        return new TrainingMattermost(server);
    }

    /** What the bot's {@code MATTERMOST_URL} points at. */
    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
    }

    private static ArrayNode users() {
        return JSON.createArrayNode().add(user(USER_ID, USERNAME));
    }

    private static ObjectNode user(String id, String username) {
        return JSON.createObjectNode().put("id", id).put("username", username).put("first_name", "Training")
                .put("last_name", "").put("delete_at", 0);
    }

    private static Publisher<Void> json(HttpServerResponse res, JsonNode body) {
        return res.header("Content-Type", "application/json").sendString(Mono.just(body.toString()));
    }
}
