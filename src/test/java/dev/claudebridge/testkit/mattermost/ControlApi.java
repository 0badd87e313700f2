package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The control API for a standalone fake (no token): {@code GET /_sim/info} (users with their tokens, team,
 * channels), {@code POST /_sim/post} {@code {user, channel_id, root_id?, message}}, {@code POST /_sim/react}
 * {@code {user, post_id, emoji}}, {@code POST /_sim/click} {@code {user, post_id, action_id, selected_option?}},
 * {@code POST /_sim/age} {@code {post_id, seconds}}, {@code POST /_sim/drop-websockets},
 * {@code POST /_sim/forget-connections}. {@code user} is a username.
 */
final class ControlApi {
    private final MattermostServer server;

    ControlApi(MattermostServer server) {
        this.server = server;
    }

    Mono<Void> serve(HttpServerRequest request, HttpServerResponse response, String path) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                .flatMap(body -> answer(request.method().name() + " " + path, MmJson.parse(body, "sim")))
                .onErrorResume(MmError.class, e -> Mono.just(e.body("")))
                .onErrorResume(IllegalArgumentException.class, e -> {
                    ObjectNode error = MmJson.object();
                    error.put("error", e.getMessage());
                    return Mono.just(error);
                })
                .flatMap(json -> response.header("Content-Type", "application/json")
                        .sendString(Mono.just(MmJson.write(json))).then());
    }

    private Mono<JsonNode> answer(String route, JsonNode in) {
        MmState state = server.state;
        ObjectNode out = MmJson.object();
        switch (route) {
            case "GET /_sim/info" -> {
                ArrayNode users = out.putArray("users");
                state.users().forEach(u -> users.addObject().put("id", u.id()).put("username", u.username())
                        .put("bot", u.bot()).put("token", u.token()));
                ArrayNode channels = out.putArray("channels");
                state.channels().forEach(c -> channels.addObject().put("id", c.id()).put("name", c.name())
                        .put("type", c.type()).put("team_id", c.teamId()));
                return Mono.just(out);
            }
            case "POST /_sim/post" -> {
                MmUser user = user(in);
                ObjectNode post = state.create(user.id(), in.path("channel_id").asText(), in.path("root_id").asText(""),
                        in.path("message").asText(""), MmJson.object(), java.util.List.of());
                return Mono.just(post);
            }
            case "POST /_sim/users" -> { // a new user, in no team and no channel
                MmUser u = state.createUser(in.path("username").asText(), "", "", false);
                out.put("id", u.id()).put("username", u.username()).put("token", u.token());
                return Mono.just(out);
            }
            case "POST /_sim/react" -> {
                return Mono.just(state.react(user(in).id(), in.path("post_id").asText(), in.path("emoji").asText()));
            }
            case "POST /_sim/click" -> {
                return server.actions.click(user(in), in.path("post_id").asText(), in.path("action_id").asText(),
                        in.path("selected_option").asText("")).map(r -> r);
            }
            case "POST /_sim/age" -> {
                state.age(in.path("post_id").asText(), in.path("seconds").asLong() * 1000);
                out.put("status", "OK");
                return Mono.just(out);
            }
            case "POST /_sim/drop-websockets" -> {
                out.put("dropped", server.hub.drop(Optional.empty()));
                return Mono.just(out);
            }
            case "POST /_sim/forget-connections" -> {
                server.hub.forgetDropped();
                out.put("status", "OK");
                return Mono.just(out);
            }
            default -> throw new IllegalArgumentException("no such control route: " + route);
        }
    }

    private MmUser user(JsonNode in) {
        String name = in.path("user").asText("");
        return server.state.userByName(name).orElseThrow(() -> new IllegalArgumentException("no user " + name));
    }
}
