package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Interactive message actions ({@code app/integration_action.go}): a click on a button or a choice in a menu makes
 * the server POST the action's {@code integration.context} (plus {@code selected_option} for a menu) with the
 * clicker and the post to the action's {@code integration.url}; the integration's answer may replace the post
 * ({@code update}) and show the clicker an ephemeral message ({@code ephemeral_text}).
 */
final class Actions {
    private final MmState state;
    private final HttpClient http = HttpClient.create().responseTimeout(Duration.ofSeconds(10));

    Actions(MmState state) {
        this.state = state;
    }

    /** The server's {@code PostActionAPIResponse} once the integration answered. */
    Mono<ObjectNode> click(MmUser user, String postId, String actionId, String selectedOption) {
        return Mono.defer(() -> {
            JsonNode action = state.action(postId, actionId).orElseThrow(() -> MmError.notFound("DoPostAction",
                    "api.post.do_action.action_id.app_error", "Invalid action id."));
            String url = action.path("integration").path("url").asText("");
            if (url.isEmpty()) {
                throw MmError.badRequest("DoPostAction", "api.post.do_action.action_integration.app_error",
                        "Action integration error.");
            }
            ObjectNode post = state.postJson(postId);
            MmChannel channel = state.channel(post.path("channel_id").asText());
            ObjectNode request = MmJson.object();
            request.put("user_id", user.id());
            request.put("user_name", user.username());
            request.put("channel_id", channel.id());
            request.put("channel_name", channel.name());
            request.put("team_id", channel.teamId());
            request.put("team_domain", state.teamName(channel.teamId()).orElse(""));
            request.put("post_id", postId);
            request.put("trigger_id", MmIds.next());
            request.put("type", action.path("type").asText("button"));
            request.put("data_source", action.path("data_source").asText(""));
            ObjectNode context = action.path("integration").path("context").isObject()
                    ? (ObjectNode) action.path("integration").path("context").deepCopy() : MmJson.object();
            if ("select".equals(action.path("type").asText())) {
                context.put("selected_option", selectedOption);
            }
            request.set("context", context);
            return http.headers(h -> h.set("Content-Type", "application/json"))
                    .post().uri(url)
                    .send(Mono.just(io.netty.buffer.Unpooled.wrappedBuffer(
                            MmJson.write(request).getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                    .responseSingle((response, body) -> body.asByteArray().defaultIfEmpty(new byte[0])
                            .map(bytes -> {
                                if (response.status().code() / 100 != 2) {
                                    throw MmError.badRequest("DoPostAction",
                                            "api.post.do_action.action_integration.app_error",
                                            "Action integration error.");
                                }
                                return answer(user, post, bytes);
                            }));
        });
    }

    private ObjectNode answer(MmUser user, ObjectNode post, byte[] body) {
        JsonNode response = body.length == 0 ? MmJson.object() : parseOrEmpty(body);
        JsonNode update = response.path("update");
        if (update.isObject()) {
            Optional<String> message = update.has("message") ? Optional.of(update.path("message").asText())
                    : Optional.empty();
            Optional<ObjectNode> props = update.path("props").isObject()
                    ? Optional.of((ObjectNode) update.path("props")) : Optional.empty();
            state.integrationUpdate(post.path("id").asText(), message, props);
        }
        String ephemeral = response.path("ephemeral_text").asText("");
        if (!ephemeral.isEmpty()) {
            state.ephemeral(user.id(), post.path("channel_id").asText(), post.path("root_id").asText(""), ephemeral);
        }
        ObjectNode out = MmJson.object();
        out.put("status", "OK");
        out.put("trigger_id", "");
        out.put("goto_location", response.path("goto_location").asText(""));
        return out;
    }

    private static JsonNode parseOrEmpty(byte[] body) {
        try {
            return MmJson.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            return MmJson.object();
        }
    }
}
