package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The control API under {@code /_sim/}: the Java API over HTTP with JSON, for scripts and for driving a bot by
 * hand (docs/fake-discord.md lists every endpoint with examples). Mistakes answer 400 {@code {"error": "..."}}.
 */
final class SimControlApi {
    private static final String PREFIX = "/_sim/";

    private final DiscordSimulator sim;
    private final RouteTable routes = new RouteTable();

    SimControlApi(DiscordSimulator sim) {
        this.sim = sim;
        registerRoutes();
    }

    static boolean handles(String path) {
        return path.startsWith(PREFIX);
    }

    Mono<Void> serve(HttpServerRequest request, HttpServerResponse response, String path) {
        String[] segments = RouteTable.split(path.substring(PREFIX.length() - 1));
        String method = request.method().name();
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                .map(body -> answer(method, segments, body))
                .flatMap(result -> {
                    response.status(result.status());
                    if (result.body() == null) {
                        return response.send();
                    }
                    response.header(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    return response.sendByteArray(Mono.just(Json.bytes(result.body()))).then();
                });
    }

    private RestResult answer(String method, String[] segments, byte[] body) {
        return routes.match(method, segments).map(match -> {
            try {
                return match.route().handler().apply(new RestCall(match.params(), Map.of(), Json.parse(body),
                        List.of()));
            } catch (DiscordError e) {
                return RestResult.error(e);
            } catch (RuntimeException e) {
                return new RestResult(400, Json.object().put("error", String.valueOf(e.getMessage())), Map.of());
            }
        }).orElseGet(() -> new RestResult(404, Json.object().put("error", "no such control endpoint"), Map.of()));
    }

    private void registerRoutes() {
        routes.add("GET /info", RouteTable.Kind.BOT, call -> RestResult.ok(info()))
                .add("POST /messages", RouteTable.Kind.BOT, call -> RestResult.ok(Json.object().put("id",
                        sim.userMessage(user(call), required(call, "channel_id"), required(call, "content")))))
                .add("POST /commands", RouteTable.Kind.BOT, call -> interaction(sim.slashCommand(user(call),
                        required(call, "channel_id"), required(call, "name"), options(call.body().path("options")))))
                .add("POST /autocomplete", RouteTable.Kind.BOT, call -> interaction(sim.autocomplete(user(call),
                        required(call, "channel_id"), required(call, "name"), options(call.body().path("options")),
                        required(call, "focused"))))
                .add("POST /buttons", RouteTable.Kind.BOT, call -> interaction(sim.clickButton(user(call),
                        required(call, "message_id"), required(call, "custom_id"))))
                .add("POST /selects", RouteTable.Kind.BOT, call -> interaction(sim.chooseSelect(user(call),
                        required(call, "message_id"), required(call, "custom_id"),
                        texts(call.body().path("values")))))
                .add("POST /threads/{id}/archive", RouteTable.Kind.BOT, call -> {
                    sim.archiveThread(call.param("id"));
                    return RestResult.noContent();
                })
                .add("POST /messages/{id}/age", RouteTable.Kind.BOT, call -> {
                    sim.ageMessage(call.param("id"), Duration.ofSeconds(call.body().path("seconds").asLong()));
                    return RestResult.noContent();
                })
                .add("GET /channels/{id}/messages", RouteTable.Kind.BOT,
                        call -> RestResult.ok(list(sim.messages(call.param("id")), SimJson::message)))
                .add("GET /messages/{id}", RouteTable.Kind.BOT, call -> sim.message(call.param("id"))
                        .map(m -> RestResult.ok(SimJson.message(m)))
                        .orElseGet(() -> notFound("message")))
                .add("GET /threads", RouteTable.Kind.BOT, call -> RestResult.ok(list(sim.threads(), SimJson::thread)))
                .add("GET /interactions/{id}", RouteTable.Kind.BOT, call -> sim.interaction(call.param("id"))
                        .map(i -> RestResult.ok(SimJson.interaction(i)))
                        .orElseGet(() -> notFound("interaction")))
                .add("GET /presences", RouteTable.Kind.BOT,
                        call -> RestResult.ok(list(sim.presenceUpdates(), SimJson::presence)))
                .add("GET /pings", RouteTable.Kind.BOT, call -> RestResult.ok(list(sim.pings(), SimJson::ping)))
                .add("GET /requests", RouteTable.Kind.BOT, call -> RestResult.ok(requests()))
                .add("GET /settings", RouteTable.Kind.BOT, call -> RestResult.ok(SimJson.settings(sim.settings())))
                .add("PUT /settings", RouteTable.Kind.BOT, call -> {
                    sim.updateSettings(current -> SimJson.applySettings(current, call.body()));
                    return RestResult.ok(SimJson.settings(sim.settings()));
                })
                .add("POST /faults", RouteTable.Kind.BOT, call -> {
                    String route = required(call, "route");
                    if (call.body().has("error_share")) {
                        sim.failRoute(route, call.body().get("error_share").asDouble());
                    }
                    if (call.body().has("latency_ms")) {
                        sim.delayRoute(route, Duration.ofMillis(call.body().get("latency_ms").asLong()));
                    }
                    return RestResult.noContent();
                })
                .add("DELETE /faults", RouteTable.Kind.BOT, call -> {
                    sim.clearFaults();
                    return RestResult.noContent();
                })
                .add("POST /gateway/drop", RouteTable.Kind.BOT,
                        call -> connections(sim.dropGatewayConnections()))
                .add("POST /gateway/reconnect", RouteTable.Kind.BOT, call -> connections(sim.sendReconnect()))
                .add("POST /gateway/invalidate", RouteTable.Kind.BOT, call -> connections(
                        sim.sendInvalidSession(call.body().path("resumable").asBoolean(false))));
    }

    ObjectNode info() {
        FakeIds ids = sim.ids();
        ObjectNode info = Json.object().put("port", sim.port()).put("token", FakeIds.TOKEN)
                .put("api_base_url", "http://127.0.0.1:" + sim.port() + "/api/v10")
                .put("gateway_url", "ws://127.0.0.1:" + sim.port())
                .put("bot_id", ids.botId()).put("application_id", ids.applicationId()).put("guild_id", ids.guildId())
                .put("main_channel_id", ids.mainChannelId()).put("other_channel_id", ids.otherChannelId());
        ObjectNode users = info.putObject("users");
        for (FakeUser user : FakeUser.values()) {
            users.putObject(user.username()).put("id", user.id()).put("role_id", user.roleId());
        }
        return info;
    }

    private ObjectNode requests() {
        ObjectNode body = Json.object();
        ObjectNode requests = body.putObject("requests");
        sim.requestCounts().forEach(requests::put);
        ObjectNode limited = body.putObject("rate_limited");
        sim.rateLimitCounts().forEach(limited::put);
        return body;
    }

    private static RestResult interaction(InteractionRef ref) {
        return RestResult.ok(Json.object().put("id", ref.id()).put("token", ref.token()));
    }

    private static RestResult connections(int count) {
        return RestResult.ok(Json.object().put("connections", count));
    }

    private static RestResult notFound(String what) {
        return new RestResult(404, Json.object().put("error", "unknown " + what), Map.of());
    }

    private static <T> ArrayNode list(List<T> items, Function<T, ObjectNode> render) {
        ArrayNode array = Json.array();
        items.forEach(item -> array.add(render.apply(item)));
        return array;
    }

    private static FakeUser user(RestCall call) {
        return FakeUser.parse(required(call, "user"));
    }

    private static String required(RestCall call, String field) {
        String value = Json.text(call.body(), field);
        if (value == null) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /** JSON option values to the Java values {@link SlashOptions} expects; objects are subcommands. */
    static Map<String, Object> options(JsonNode node) {
        Map<String, Object> options = new LinkedHashMap<>();
        node.properties().forEach(entry -> {
            JsonNode value = entry.getValue();
            Object converted;
            if (value.isObject()) {
                converted = options(value);
            } else if (value.isIntegralNumber()) {
                converted = value.asLong();
            } else if (value.isNumber()) {
                converted = value.asDouble();
            } else if (value.isBoolean()) {
                converted = value.asBoolean();
            } else {
                converted = value.asText();
            }
            options.put(entry.getKey(), converted);
        });
        return options;
    }
}
